import { randomUUID } from "node:crypto";
import { defaultMaxListeners, setMaxListeners } from "node:events";
import type { Readable } from "node:stream";
import { DeployKitError, isDeployKitError } from "../errors";
import type { PutOptions } from "../store/artifact-store";
import { objectExists } from "../store/keys";
import { errorCode, httpStatus, isStoreError, toStoreError } from "./errors";
import { withRequestSignal } from "./request-signal";
import { aborted, withRetries } from "./retry";
import { headObject, type StoreScope } from "./scope";
import {
  CompleteMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  Upload,
} from "./sdk";
import { UPLOAD_TOKEN } from "./upload-token";

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

/** The SDK error behind a store error. */
const sdkError = (error: unknown) => (isDeployKitError(error) ? error.cause : error);
const conflict = (error: unknown) =>
  httpStatus(sdkError(error)) === 412 || errorCode(sdkError(error)) === "PreconditionFailed";
const unsupported = (error: unknown) =>
  httpStatus(sdkError(error)) === 501 || errorCode(sdkError(error)) === "NotImplemented";

/** True when the object under `key` was written by the write holding `token`. */
async function landed(scope: StoreScope, key: string, token: string, signal: AbortSignal | undefined) {
  try {
    const out = await withRequestSignal(signal, (request) =>
      scope.client.send(new HeadObjectCommand({ Bucket: scope.bucket, Key: scope.objectKey(key) }), {
        abortSignal: request,
      }),
    );
    return out.Metadata?.[UPLOAD_TOKEN] === token;
  } catch {
    return false;
  }
}

/**
 * The client lib-storage gets: every request it sends (create, each part, complete) is retried
 * on its own with backoff. Parts are buffers, so this is safe even when the source is a stream.
 * Before sending a final write (PutObject, CompleteMultipartUpload) again, it checks whether the
 * earlier attempt landed after all (its answer lost to a reset): then the write is done.
 */
function retryingClient(
  scope: StoreScope,
  key: string,
  token: string,
  signal: AbortSignal | undefined,
): S3Client {
  const send = async (command: Parameters<S3Client["send"]>[0], options?: object) => {
    const final = command instanceof CompleteMultipartUploadCommand || command instanceof PutObjectCommand;
    return withRetries(scope, `writing ${key}`, signal, async (attempt) => {
      if (final && attempt > 1 && (await landed(scope, key, token, signal))) return {};
      return withRequestSignal(signal, (request) =>
        scope.client.send(command, { ...options, abortSignal: request }),
      );
    });
  };
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
 * request retried on its own. Create-only writes HEAD first, then send `If-None-Match: *`
 * (see `conditionalWrites`); a server that answers 501 to it is written to without it from then on.
 */
export async function upload(
  scope: StoreScope,
  key: string,
  body: Readable | Uint8Array | string,
  options: PutOptions,
): Promise<void> {
  const { signal } = options;
  const action = `writing ${key}`;
  if (signal?.aborted) throw aborted(scope.location, action, signal.reason);
  if (options.ifAbsent && (await headObject(scope, key, signal))) throw objectExists(scope.location, key);
  const replayable = typeof body === "string" || body instanceof Uint8Array;
  const source =
    typeof body === "string"
      ? Buffer.from(body)
      : body instanceof Uint8Array
        ? Buffer.from(body.buffer, body.byteOffset, body.length)
        : body;
  const size = Buffer.isBuffer(source) ? source.length : options.contentLength;
  const conditional = Boolean(options.ifAbsent) && scope.conditionalWrites;
  try {
    await send(scope, key, source, size, options, conditional);
  } catch (error) {
    if (signal?.aborted) throw aborted(scope.location, action, signal.reason);
    if (conditional && conflict(error)) throw objectExists(scope.location, key, sdkError(error));
    if (conditional && unsupported(error)) {
      scope.conditionalWrites = false; // fall back to HEAD-then-put (racy; see conditionalWrites)
      if (replayable) return send(scope, key, source, size, options, false);
      throw new DeployKitError(
        "E_STORE_UNAVAILABLE",
        `${scope.location} refused a create-only write of ${key}.`,
        {
          cause: sdkError(error),
          hint: "The server does not support If-None-Match on writes: run again (this store now falls back to HEAD-then-put) or set conditionalWrites: false.",
        },
      );
    }
    if (isDeployKitError(error) || !isStoreError(error)) throw error;
    throw toStoreError(error, { ...scope, action });
  }
}
