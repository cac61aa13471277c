import { createHash } from "node:crypto";
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
