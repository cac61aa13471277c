import { availableParallelism } from "node:os";
import { Transform, type TransformCallback } from "node:stream";
import { crc32 } from "node:zlib";
import { type DeflateWorkers, deflateOnPool, startDeflateWorkers } from "./deflate-workers";

/** Deflate window size: each block is compressed with the previous block's last 32 KiB as dictionary. */
const WINDOW = 32 * 1024;
/** gzip header as `gzip -n` writes it: deflate, no name, mtime 0, OS unix. XFL as zlib sets it. */
const header = (level: number) =>
  Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level === 9 ? 2 : level === 1 ? 4 : 0, 3]);

/** A parallel gzip stream that lends out the memory its blocks are made of. */
export interface ParallelGzip extends Transform {
  /**
   * A buffer of exactly one block (of its own memory) for the writer to fill and then write
   * whole: it moves to a deflate thread without being copied, and comes back to be lent again,
   * so a long stream allocates a few blocks in all. Once it is written the writer must not touch
   * it; one written in part is copied like any other chunk.
   */
  takeBlock(): Buffer;
}

/**
 * A gzip stream compressed on several threads at once, the way pigz does it: the input is
 * cut into fixed-size blocks, each deflated independently with the 32 KiB before it as its
 * dictionary and ended with a sync flush, and the pieces are joined in order under one gzip
 * header and CRC. The result is a standard single-member gzip file (any gunzip, any dpkg reads
 * it), deterministic for a given level and block size, and within a fraction of a percent of
 * single-threaded gzip's size. Chunks may be of any size; writing whole blocks from
 * {@link ParallelGzip.takeBlock} saves a copy of every byte.
 */
export function createParallelGzip(level: number, blockSize = 1 << 20): ParallelGzip {
  const inFlight: Promise<Buffer>[] = [];
  // Blocks queued per deflate thread: deep enough that a thread never waits for the main thread to
  // hand it the next block when the machine is busy and the main thread is scheduled late.
  const limit = 4 * availableParallelism();
  // Blocks back from the deflate threads, and the ones lent out by takeBlock.
  const free: Buffer[] = [];
  const lent = new Set<ArrayBufferLike>();
  const takeBlock = () => free.pop() ?? Buffer.allocUnsafeSlow(blockSize);
  // The block being filled: memory of its own, so it can move to a deflate thread uncopied.
  let current: Buffer | undefined;
  let filled = 0;
  let previousTail: Buffer | undefined;
  let crc = 0;
  let length = 0;
  let started = false;
  // Threads start with the second block: a stream of one block (a control.tar, a small app)
  // deflates on the libuv pool and starts none.
  let workers: DeflateWorkers | undefined;

  function start(stream: Transform, block: Buffer, last: boolean): void {
    if (!started) {
      stream.push(header(level));
      started = true;
    }
    if (!last) workers ??= startDeflateWorkers();
    const dictionary = previousTail;
    // Copied before the block's memory moves to a deflate thread.
    previousTail = Buffer.from(block.subarray(Math.max(0, block.length - WINDOW)));
    const deflated = (workers?.deflate ?? deflateOnPool)(block, level, dictionary, last).then((done) => {
      if (done.block.length === blockSize && free.length < limit) free.push(done.block);
      return done.out;
    });
    deflated.catch(() => undefined); // awaited in order by drainTo, unless the stream is destroyed first
    inFlight.push(deflated);
  }

  async function drainTo(stream: Transform, max: number): Promise<void> {
    while (inFlight.length > max) stream.push(await (inFlight.shift() as Promise<Buffer>));
  }

  const stream = new Transform({
    writableHighWaterMark: 4 * blockSize,
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      crc = crc32(chunk, crc);
      length += chunk.length;
      const work = async () => {
        // A whole lent block becomes the current block as it is.
        const whole = chunk.length === blockSize && chunk.byteOffset === 0 && lent.delete(chunk.buffer);
        for (let offset = 0; offset < chunk.length; ) {
          // A full block is handed on only once a byte follows it, so the final block, which
          // carries the end-of-stream marker, is never empty unless the whole input is.
          if (current && filled === blockSize) {
            start(this, current, false);
            current = undefined;
            filled = 0;
            await drainTo(this, limit);
          }
          if (whole && filled === 0 && offset === 0) {
            if (current) free.push(current);
            current = chunk;
            filled = blockSize;
            break;
          }
          current ??= takeBlock();
          const copied = chunk.copy(current, filled, offset, offset + blockSize - filled);
          filled += copied;
          offset += copied;
        }
      };
      work().then(() => done(), done);
    },
    flush(done: TransformCallback) {
      const finish = async () => {
        start(this, (current ?? Buffer.alloc(0)).subarray(0, filled), true);
        await drainTo(this, 0);
        const trailer = Buffer.alloc(8);
        trailer.writeUInt32LE(crc >>> 0, 0);
        trailer.writeUInt32LE(length % 2 ** 32, 4);
        this.push(trailer);
        workers?.close();
        free.length = 0;
        lent.clear();
      };
      finish().then(() => done(), done);
    },
    destroy(error, done) {
      workers?.close();
      done(error);
    },
  });
  return Object.assign(stream, {
    takeBlock() {
      const block = takeBlock();
      lent.add(block.buffer);
      return block;
    },
  });
}
