import type { Readable } from "node:stream";
import { Upload } from "@aws-sdk/lib-storage";
import { DeployKitError } from "../errors";
import type { PutOptions } from "../store/artifact-store";
import { objectExists } from "../store/keys";
import { errorCode, httpStatus, isStoreError, toStoreError } from "./errors";
import { aborted, withRetries } from "./retry";
import { headObject, type StoreScope } from "./scope";

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

const conflict = (error: unknown) => httpStatus(error) === 412 || errorCode(error) === "PreconditionFailed";
const unsupported = (error: unknown) => httpStatus(error) === 501 || errorCode(error) === "NotImplemented";

/** One upload attempt through lib-storage (a single PUT when the body fits one part). */
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
  const upload = new Upload({
    client: scope.client,
    queueSize: scope.queueSize,
    partSize: uploadPartSize(size, scope.uploadPartSize),
    leavePartsOnError: false,
    abortController,
    params: {
      Bucket: scope.bucket,
      Key: scope.objectKey(key),
      Body: body,
      ...(size !== undefined ? { ContentLength: size } : {}),
      ...(options.metadata ? { Metadata: options.metadata } : {}),
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
 * Writes an object. Buffers and strings are retried as a whole on transient failures; a stream
 * cannot be replayed, so it gets one attempt (each part still gets the SDK's own retries).
 * Create-only writes HEAD first, then send `If-None-Match: *` (see `conditionalWrites`).
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

  if (typeof body === "string" || body instanceof Uint8Array) {
    const bytes =
      typeof body === "string" ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.length);
    return withRetries(scope, action, signal, async () => {
      const conditional = Boolean(options.ifAbsent) && scope.conditionalWrites;
      try {
        await send(scope, key, bytes, bytes.length, options, conditional);
      } catch (error) {
        if (conditional && conflict(error)) throw objectExists(scope.location, key, error);
        if (!conditional || !unsupported(error)) throw error;
        scope.conditionalWrites = false; // the server refuses If-None-Match: fall back to HEAD-then-put
        await send(scope, key, bytes, bytes.length, options, false);
      }
    });
  }

  const conditional = Boolean(options.ifAbsent) && scope.conditionalWrites;
  try {
    await send(scope, key, body, options.contentLength, options, conditional);
  } catch (error) {
    if (signal?.aborted) throw aborted(scope.location, action, signal.reason);
    if (conditional && conflict(error)) throw objectExists(scope.location, key, error);
    if (conditional && unsupported(error)) {
      scope.conditionalWrites = false;
      throw new DeployKitError(
        "E_STORE_UNAVAILABLE",
        `${scope.location} refused a create-only write of ${key}.`,
        {
          cause: error,
          hint: "This server does not support If-None-Match on writes; set conditionalWrites: false (or run again: this store now falls back to HEAD-then-put).",
        },
      );
    }
    if (!isStoreError(error)) throw error;
    throw toStoreError(error, {
      ...scope,
      action: `${action} (a stream body is not retried; publish again)`,
    });
  }
}
