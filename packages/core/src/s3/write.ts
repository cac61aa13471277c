import type {
  $Command,
  S3ClientResolvedConfig,
  ServiceInputTypes,
  ServiceOutputTypes,
} from "@aws-sdk/client-s3";
import { DeployKitError, isDeployKitError } from "../errors";
import type { PutOptions } from "../store/artifact-store";
import { objectExists, storeAborted } from "../store/keys";
import { errorCode, httpStatus, isStoreError, toStoreError } from "./errors";
import { withRequestSignal } from "./request-signal";
import { withRetries } from "./retry";
import { headObject, type StoreScope } from "./scope";
import { CompleteMultipartUploadCommand, HeadObjectCommand, PutObjectCommand } from "./sdk";
import { UPLOAD_TOKEN } from "./upload-token";

/** The SDK error behind a store error. */
const sdkError = (error: unknown) => (isDeployKitError(error) ? error.cause : error);
const conflict = (error: unknown) =>
  httpStatus(sdkError(error)) === 412 || errorCode(sdkError(error)) === "PreconditionFailed";
const unsupported = (error: unknown) =>
  httpStatus(sdkError(error)) === 501 || errorCode(sdkError(error)) === "NotImplemented";

/** True when the object under `key` was written by the write holding `token`. */
export async function landed(scope: StoreScope, key: string, token: string, signal: AbortSignal | undefined) {
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

/** An S3 command taking `I` and answering `O`, as `S3Client.send` takes it. */
export type S3Command<I extends ServiceInputTypes, O extends ServiceOutputTypes> = $Command<
  I,
  O,
  S3ClientResolvedConfig,
  ServiceInputTypes,
  ServiceOutputTypes
>;

/** Sends one replayable SDK command of a write, the way {@link retryingSend} does. */
export type WriteSend = <I extends ServiceInputTypes, O extends ServiceOutputTypes>(
  command: S3Command<I, O>,
  options?: object,
) => Promise<O>;

/**
 * A `send` for the requests of one write (`token` is its {@link UPLOAD_TOKEN}): each is retried
 * on its own with backoff, under `signal`. Before sending a final write (PutObject,
 * CompleteMultipartUpload) again, it checks whether the earlier attempt landed after all (its
 * answer lost to a reset): then the write is done. The command must be replayable (no stream body).
 */
export function retryingSend(
  scope: StoreScope,
  key: string,
  token: string,
  signal: AbortSignal | undefined,
): WriteSend {
  return async <I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    command: S3Command<I, O>,
    options?: object,
  ): Promise<O> => {
    const final = command instanceof CompleteMultipartUploadCommand || command instanceof PutObjectCommand;
    return withRetries(scope, `writing ${key}`, signal, async (attempt) => {
      if (final && attempt > 1 && (await landed(scope, key, token, signal))) return {} as O;
      return withRequestSignal(signal, (request) =>
        scope.client.send(command, { ...options, abortSignal: request }),
      );
    });
  };
}

/**
 * The create-only and error rules shared by every write: an aborted signal writes nothing; a
 * create-only write HEADs first (`E_OBJECT_EXISTS`), then `send(true)` sends `If-None-Match: *`
 * (see `conditionalWrites`), where a 412 is `E_OBJECT_EXISTS` and a 501 makes this store write
 * without it from then on (`send(false)` again when the body is `replayable`); SDK errors become
 * DeployKitErrors (`toStoreError`).
 */
export async function writeObject(
  scope: StoreScope,
  key: string,
  options: PutOptions,
  replayable: boolean,
  send: (conditional: boolean) => Promise<void>,
): Promise<void> {
  const { signal } = options;
  const action = `writing ${key}`;
  if (signal?.aborted) throw storeAborted(scope.location, action, signal.reason);
  if (options.ifAbsent && (await headObject(scope, key, signal))) throw objectExists(scope.location, key);
  const conditional = Boolean(options.ifAbsent) && scope.conditionalWrites;
  try {
    await send(conditional);
  } catch (error) {
    if (signal?.aborted) throw storeAborted(scope.location, action, signal.reason);
    if (conditional && conflict(error)) throw objectExists(scope.location, key, sdkError(error));
    if (conditional && unsupported(error)) {
      scope.conditionalWrites = false; // fall back to HEAD-then-put (racy; see conditionalWrites)
      if (replayable) return send(false);
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
