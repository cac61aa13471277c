import { defaultMaxListeners, setMaxListeners } from "node:events";
import { Readable } from "node:stream";
import { DeployKitError } from "../errors";
import type { ByteRange } from "../store/artifact-store";
import { objectNotFound } from "../store/keys";
import { httpStatus, TruncatedBodyError } from "./errors";
import { withRequestSignal } from "./request-signal";
import { withRetries } from "./retry";
import { type FoundObject, headObject, type StoreScope } from "./scope";
import { GetObjectCommand } from "./sdk";

/** One ranged GET: first and last byte, inclusive. */
interface Part {
  start: number;
  end: number;
}

const MAX_CHANGED_RETRIES = 3;

/**
 * Reads a response body as the chunks the socket delivered (no copying), checking that exactly
 * `expected` bytes arrived.
 */
async function readBody(body: unknown, expected: number, signal: AbortSignal): Promise<Buffer[]> {
  const stream = body as Readable;
  const onAbort = () => stream.destroy(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > expected)
        throw new Error(`the server sent more than the ${expected} bytes requested; does it honour Range?`);
      chunks.push(chunk);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (received !== expected) throw new TruncatedBodyError(received, expected);
  return chunks;
}

/** Fetches one range into memory, retrying that range alone on transient failures. */
function fetchPart(
  scope: StoreScope,
  key: string,
  etag: string | undefined,
  part: Part,
  signal: AbortSignal,
) {
  const action = `downloading bytes ${part.start}-${part.end} of ${key}`;
  return withRetries(scope, action, signal, () =>
    withRequestSignal(signal, async (request) => {
      const out = await scope.client.send(
        new GetObjectCommand({
          Bucket: scope.bucket,
          Key: scope.objectKey(key),
          Range: `bytes=${part.start}-${part.end}`,
          ...(etag ? { IfMatch: etag } : {}),
        }),
        { abortSignal: request },
      );
      return readBody(out.Body, part.end - part.start + 1, request);
    }),
  );
}

/**
 * Streams parts in order while up to `concurrency` of them are fetched in parallel. A part that
 * fails for good destroys the stream with its error; destroying the stream cancels the rest.
 */
function orderedStream(
  parts: Part[],
  fetch: (part: Part, signal: AbortSignal) => Promise<Buffer[]>,
  concurrency: number,
  outer: AbortSignal | undefined,
): Readable {
  const controller = new AbortController();
  const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal;
  // Each part in flight holds one listener here: its request's link, or its retry wait.
  setMaxListeners(Math.max(concurrency, defaultMaxListeners), signal);
  const pending: Promise<Buffer[]>[] = [];
  let next = 0;
  const fill = () => {
    while (pending.length < concurrency && next < parts.length) {
      const promise = fetch(parts[next++] as Part, signal);
      promise.catch(() => undefined); // handled when its turn comes
      pending.push(promise);
    }
  };
  return new Readable({
    read() {
      fill();
      const head = pending.shift();
      if (!head) {
        this.push(null);
        return;
      }
      head.then(
        (chunks) => {
          if (this.destroyed) return;
          fill();
          for (const chunk of chunks) this.push(chunk);
        },
        (error) => this.destroy(error),
      );
    },
    destroy(error, callback) {
      controller.abort();
      callback(error);
    },
  });
}

function assertRange(key: string, range: ByteRange | undefined): void {
  const ok = (n: number | undefined) => n === undefined || (Number.isSafeInteger(n) && n >= 0);
  if (range && (!ok(range.start) || !ok(range.end) || (range.end !== undefined && range.end < range.start)))
    throw new DeployKitError("E_INVALID_INPUT", `Invalid byte range for ${key}: ${JSON.stringify(range)}.`, {
      hint: "A range is { start, end? } with 0 <= start <= end (both inclusive).",
    });
}

function split(start: number, last: number, size: number): Part[] {
  const parts: Part[] = [];
  for (let at = start; at <= last; at += size) parts.push({ start: at, end: Math.min(at + size - 1, last) });
  return parts;
}

/**
 * Downloads an object (or a range of it): a HEAD for its size and ETag, then one GET for a small
 * object, or several ranged GETs in parallel, emitted in order, each pinned to the ETag so the
 * bytes all come from one version. A body that ends early is retried, never passed on.
 *
 * @throws `E_NOT_FOUND` for a missing key; failures after the stream is returned destroy it.
 */
export async function download(
  scope: StoreScope,
  key: string,
  range: ByteRange | undefined,
  signal: AbortSignal | undefined,
): Promise<Readable> {
  assertRange(key, range);
  for (let changed = 0; ; changed += 1) {
    const found: FoundObject | undefined = await headObject(scope, key, signal);
    if (!found) throw objectNotFound(scope.location, key);
    const start = range?.start ?? 0;
    const last = Math.min(range?.end ?? Number.POSITIVE_INFINITY, found.size - 1);
    if (start > last) return Readable.from([], { objectMode: false });
    const parts = split(start, last, scope.partSize);
    const fetch = (part: Part, s: AbortSignal) => fetchPart(scope, key, found.etag, part, s);
    if (parts.length > 1) return orderedStream(parts, fetch, scope.concurrency, signal);
    try {
      const chunks = await fetch(parts[0] as Part, signal ?? new AbortController().signal);
      return Readable.from(chunks, { objectMode: false });
    } catch (error) {
      // Replaced between the HEAD and the GET (a channel pointer moving): read the new version.
      const replaced = httpStatus((error as DeployKitError).cause) === 412;
      if (!replaced || changed >= MAX_CHANGED_RETRIES) throw error;
    }
  }
}
