import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Transform } from "node:stream";

/** A pass-through stream that hashes (sha256) and counts what flows through it. */
export interface HashingStream extends Transform {
  /** Bytes seen so far. */
  readonly bytes: number;
  /** The hex sha256 of everything seen; call once the stream has ended. */
  digest(): string;
}

/** Creates a {@link HashingStream}; `onBytes` gets the running byte count after each chunk. */
export function hashingStream(onBytes?: (bytes: number) => void): HashingStream {
  const hash = createHash("sha256");
  let bytes = 0;
  let hex: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes?.(bytes);
      done(null, chunk);
    },
  }) as HashingStream;
  Object.defineProperty(stream, "bytes", { get: () => bytes });
  stream.digest = () => {
    hex ??= hash.digest("hex");
    return hex;
  };
  return stream;
}

/** The hex sha256 of bytes in memory (a string is hashed as UTF-8). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * The hex sha256 of everything a stream yields, consumed chunk by chunk (constant memory):
 * a file's read stream, a store object's body.
 */
export async function sha256OfStream(source: AsyncIterable<Uint8Array | string>): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of source) hash.update(chunk);
  return hash.digest("hex");
}

/** The hex sha256 of a file, streamed. */
export const sha256OfFile = (path: string): Promise<string> => sha256OfStream(createReadStream(path));
