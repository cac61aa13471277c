import { availableParallelism } from "node:os";
import { Transform, type TransformCallback } from "node:stream";
import { constants, crc32, deflateRaw } from "node:zlib";

/** Deflate window size: each block is compressed with the previous block's last 32 KiB as dictionary. */
const WINDOW = 32 * 1024;
/** gzip header as `gzip -n` writes it: deflate, no name, mtime 0, OS unix. XFL as zlib sets it. */
const header = (level: number) =>
  Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level === 9 ? 2 : level === 1 ? 4 : 0, 3]);

function deflateBlock(
  block: Buffer,
  level: number,
  dictionary: Buffer | undefined,
  last: boolean,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const options = {
      level,
      finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      ...(dictionary ? { dictionary } : {}),
    };
    deflateRaw(block, options, (error, out) => (error ? reject(error) : resolve(out)));
  });
}

/**
 * A gzip stream compressed on several libuv threads at once, the way pigz does it: the input is
 * cut into fixed-size blocks, each deflated independently with the 32 KiB before it as its
 * dictionary and ended with a sync flush, and the pieces are joined in order under one gzip
 * header and CRC. The result is a standard single-member gzip file (any gunzip, any dpkg reads
 * it), deterministic for a given level and block size, and within a fraction of a percent of
 * single-threaded gzip's size.
 */
export function createParallelGzip(level: number, blockSize = 1 << 20): Transform {
  const inFlight: Promise<Buffer>[] = [];
  const limit = availableParallelism() + 1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let previousTail: Buffer | undefined;
  let crc = 0;
  let length = 0;
  let started = false;

  function start(stream: Transform, block: Buffer, last: boolean): void {
    if (!started) {
      stream.push(header(level));
      started = true;
    }
    inFlight.push(deflateBlock(block, level, previousTail, last));
    previousTail = Buffer.from(block.subarray(Math.max(0, block.length - WINDOW)));
  }

  async function drainTo(stream: Transform, max: number): Promise<void> {
    while (inFlight.length > max) stream.push(await (inFlight.shift() as Promise<Buffer>));
  }

  function takeBlock(): Buffer {
    const all = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
    const block = all.subarray(0, blockSize);
    const rest = all.subarray(blockSize);
    pending = rest.length > 0 ? [rest] : [];
    pendingBytes = rest.length;
    return block;
  }

  return new Transform({
    writableHighWaterMark: 4 * blockSize,
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      crc = crc32(chunk, crc);
      length += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      const work = async () => {
        // Keep one block back so the final one can carry the end-of-stream marker.
        while (pendingBytes > blockSize) {
          start(this, takeBlock(), false);
          await drainTo(this, limit);
        }
      };
      work().then(() => done(), done);
    },
    flush(done: TransformCallback) {
      const finish = async () => {
        start(this, takeBlock(), true);
        await drainTo(this, 0);
        const trailer = Buffer.alloc(8);
        trailer.writeUInt32LE(crc >>> 0, 0);
        trailer.writeUInt32LE(length % 2 ** 32, 4);
        this.push(trailer);
      };
      finish().then(() => done(), done);
    },
  });
}
