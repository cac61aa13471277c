import { randomUUID } from "node:crypto";
import { defaultMaxListeners, setMaxListeners } from "node:events";
import type { Readable } from "node:stream";
import type { PutOptions } from "../store/artifact-store";
import type { StoreScope } from "./scope";
import { type S3Client, Upload } from "./sdk";
import { UPLOAD_TOKEN } from "./upload-token";
import { retryingSend, writeObject } from "./write";

const MiB = 1024 * 1024;
/** S3's limit on the parts of one multipart upload. */
export const MAX_PARTS = 10_000;

/**
 * The part size for an object of `size` bytes: at least `minimum`, and large enough (rounded up
 * to whole MiB) that the object fits in {@link MAX_PARTS} parts.
 */
export function uploadPartSize(size: number | undefined, minimum: number): number {
  if (size === undefined) return minimum;
  return Math.max(minimum, Math.ceil(size / MAX_PARTS / MiB) * MiB);
}

/** The largest part {@link filePartSize} picks unless 10,000 parts need more. */
export const MAX_FILE_PART = 64 * MiB;

/**
 * The part size for a file of `size` bytes sent `queueSize` parts at a time (`putFile`): the file
 * spread over `queueSize` parts (rounded up to whole MiB), at least `minimum`, at most
 * {@link MAX_FILE_PART} (what a failed part costs to send again), and never over 10,000 parts
 * ({@link uploadPartSize}). Parts cost no memory there, but every request costs signing and a
 * round trip: 100 MiB in 4 parts of 25 MiB instead of 13 of 8 MiB.
 */
export function filePartSize(size: number, minimum: number, queueSize: number): number {
  const spread = Math.ceil(size / queueSize / MiB) * MiB;
  return Math.max(uploadPartSize(size, minimum), Math.min(spread, Math.max(minimum, MAX_FILE_PART)));
}

/**
 * The client lib-storage gets: every request it sends (create, each part, complete) goes through
 * {@link retryingSend}. Parts are buffers, so this is safe even when the source is a stream.
 */
function retryingClient(
  scope: StoreScope,
  key: string,
  token: string,
  signal: AbortSignal | undefined,
): S3Client {
  const send = retryingSend(scope, key, token, signal);
  return new Proxy(scope.client, {
    get: (target, property, receiver) =>
      property === "send" ? send : Reflect.get(target, property, receiver),
  });
}

/** One upload through lib-storage (a single PUT when the body fits one part). */
async function send(
  scope: StoreScope,
  key: string,
  body: Readable | Buffer,
  size: number | undefined,
  options: PutOptions,
  conditional: boolean,
): Promise<void> {
  const abortController = new AbortController();
  const onAbort = () => abortController.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  // Each part in flight holds one listener here (its request's link, or its retry wait), plus lib-storage's own.
  setMaxListeners(Math.max(scope.queueSize + 2, defaultMaxListeners), abortController.signal);
  const token = randomUUID();
  const upload = new Upload({
    client: retryingClient(scope, key, token, abortController.signal),
    queueSize: scope.queueSize,
    partSize: uploadPartSize(size, scope.uploadPartSize),
    leavePartsOnError: false,
    abortController,
    params: {
      Bucket: scope.bucket,
      Key: scope.objectKey(key),
      Body: body,
      ...(size !== undefined ? { ContentLength: size } : {}),
      Metadata: { ...options.metadata, [UPLOAD_TOKEN]: token },
      ...(conditional ? { IfNoneMatch: "*" } : {}),
    },
  });
  try {
    await upload.done();
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Writes an object through lib-storage's `Upload` (multipart for bodies over one part), each
 * request retried on its own, under the create-only rules of {@link writeObject}. A stream body
 * is copied into part-size buffers (memory: about `queueSize × uploadPartSize`), each hashed for
 * SigV4; a file is cheaper to write with `uploadFile`.
 */
export async function upload(
  scope: StoreScope,
  key: string,
  body: Readable | Uint8Array | string,
  options: PutOptions,
): Promise<void> {
  const replayable = typeof body === "string" || body instanceof Uint8Array;
  const source =
    typeof body === "string"
      ? Buffer.from(body)
      : body instanceof Uint8Array
        ? Buffer.from(body.buffer, body.byteOffset, body.length)
        : body;
  const size = Buffer.isBuffer(source) ? source.length : options.contentLength;
  await writeObject(scope, key, options, replayable, (conditional) =>
    send(scope, key, source, size, options, conditional),
  );
}
