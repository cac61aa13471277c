import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { constants, deflateRaw } from "node:zlib";

/**
 * The worker's whole program: an ES module loaded from a `data:` URL, so the package ships no
 * separate worker file for both module formats and the test runner to find, and nothing about the
 * host process changes how it is read. (It ran as `eval` source before, which Node parses the way
 * the process parses `-e` code: a build script run with `--input-type=module`, on the command line
 * or in NODE_OPTIONS, made it an ES module where `require` is not defined, and every build of more
 * than one block failed. A `data:` URL is an ES module by its MIME type, whatever the flags.)
 * `deflateRawSync` with zlib's default 16 KiB output chunks gives exactly the bytes the async
 * `deflateRaw` gives, without calling back to the main thread after every chunk. The output moves
 * back uncopied when it owns its memory (it does unless it is one short chunk), and so does the
 * input block, for the stream to fill again. Each block leaves ~300 KiB of 16 KiB output chunks
 * behind, which V8 lets pile up to 64 MiB per thread before it collects (a thread allocates
 * almost nothing else, so nothing else triggers a collection): peak RSS then grew with the tree
 * (192 MB on the 200 MB bench tree, 124 MB on the 20 MB one). So the thread runs a full collection
 * every 8 blocks (young-generation ones alone left chunks that a collection had caught alive and
 * promoted: up to 168 MB under load), with `gc` fetched from a context made while `--expose-gc` is
 * on for that moment only: peak RSS ~130 MB and 123 MB; the collections' CPU time is within the
 * noise of the deflate's (95 blocks: 4.5-4.8 s of thread CPU with or without them).
 */
const PROGRAM = `
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort } from "node:worker_threads";
import { constants, deflateRawSync } from "node:zlib";
// The flag is process-wide: turned on only when it is off, and back off right after (a process
// started with --expose-gc keeps it, and already has gc here).
let collect = typeof globalThis.gc === "function" ? globalThis.gc : () => {};
if (typeof globalThis.gc !== "function") {
  try {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc");
    setFlagsFromString("--no-expose-gc");
  } catch {}
}
let blocks = 0;
const owns = (b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
parentPort.on("message", ({ id, block, dictionary, level, last }) => {
  try {
    const out = deflateRawSync(block, {
      level,
      finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      ...(dictionary ? { dictionary } : {}),
    });
    const owned = owns(out) ? out : new Uint8Array(out);
    parentPort.postMessage({ id, out: owned, block }, [owned.buffer, block.buffer]);
    if (++blocks % 8 === 0) collect();
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
});
`;
const PROGRAM_URL = new URL(`data:text/javascript,${encodeURIComponent(PROGRAM)}`);

/** A deflated block, and the block's memory handed back for reuse. */
export interface Deflated {
  out: Buffer;
  block: Buffer;
}

/**
 * Raw-deflates one block: sync-flushed (or finished when `last`), primed with `dictionary`. A block
 * that owns all of its memory (`Buffer.allocUnsafeSlow`) may be taken over: do not touch it
 * until it comes back as {@link Deflated.block}.
 */
export type DeflateBlock = (
  block: Buffer,
  level: number,
  dictionary: Buffer | undefined,
  last: boolean,
) => Promise<Deflated>;

/** One deflate on the libuv pool: what a stream of a single block uses (no thread to start). */
export const deflateOnPool: DeflateBlock = (block, level, dictionary, last) =>
  new Promise((resolve, reject) => {
    const options = {
      level,
      finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      ...(dictionary ? { dictionary } : {}),
    };
    deflateRaw(block, options, (error, out) => (error ? reject(error) : resolve({ out, block })));
  });

const bufferOf = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);

/** Deflate threads for one stream; {@link DeflateWorkers.close} ends them. */
export interface DeflateWorkers {
  deflate: DeflateBlock;
  close(): void;
}

/**
 * Starts one deflate thread per core (pigz's default; a third thread measured +40 MB of peak RSS
 * and broke the flat-memory target). Blocks go round-robin; each thread works through its own in
 * order. The threads are unref'd, so a stream dropped without `close` never keeps the process alive.
 */
export function startDeflateWorkers(count = availableParallelism()): DeflateWorkers {
  const waiting = new Map<number, { resolve: (done: Deflated) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  const fail = (error: Error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  const workers = Array.from({ length: Math.max(1, count) }, () => {
    // The process's own flags (preloads, --input-type, loaders) are no business of a thread that
    // only deflates: none are passed on (NODE_OPTIONS still applies; the data: URL is read the
    // same under it).
    const worker = new Worker(PROGRAM_URL, { execArgv: [] });
    worker.unref();
    type Answer = { id: number; out?: Uint8Array; block?: Uint8Array; error?: string };
    worker.on("message", ({ id, out, block, error }: Answer) => {
      const job = waiting.get(id);
      waiting.delete(id);
      if (!out || !block) job?.reject(new Error(`deflate failed: ${error}`));
      else job?.resolve({ out: bufferOf(out), block: bufferOf(block) });
    });
    worker.on("error", fail);
    return worker;
  });
  return {
    deflate(block, level, dictionary, last) {
      const id = nextId++;
      // Moved (not cloned) to the thread and back: a block that owns all its memory moves as it is
      // (the caller must not touch it until it is back); a view into larger memory is copied first.
      const owned =
        block.byteOffset === 0 && block.byteLength === block.buffer.byteLength
          ? (block as Uint8Array<ArrayBuffer>)
          : new Uint8Array(block);
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        const worker = workers[id % workers.length] as Worker;
        worker.postMessage({ id, block: owned, dictionary, level, last }, [owned.buffer]);
      });
    },
    close() {
      fail(new Error("deflate threads closed"));
      for (const worker of workers) void worker.terminate();
    },
  };
}
