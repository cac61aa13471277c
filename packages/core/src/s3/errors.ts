import { DeployKitError, isDeployKitError } from "../errors";

/** What an S3 error looks like: SDK service errors carry a name and `$metadata`, network errors a `code`. */
interface S3ErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Where a failure happened, for messages and hints. */
export interface S3ErrorContext {
  /** `s3://bucket/prefix`. */
  location: string;
  bucket: string;
  /** The endpoint, when not AWS itself. */
  endpoint: string | undefined;
  /** What was being done, e.g. `reading apps/web/releases/1.0/manifest.json`. */
  action: string;
  /** How many attempts were made. */
  attempts?: number;
}

const shape = (error: unknown): S3ErrorShape =>
  (typeof error === "object" && error ? error : {}) as S3ErrorShape;

/** The HTTP status of an SDK error, if it got that far. */
export const httpStatus = (error: unknown): number | undefined => shape(error).$metadata?.httpStatusCode;

/** The S3 error code (`NoSuchBucket`, `AccessDenied`...) or Node error code (`ECONNRESET`...). */
export const errorCode = (error: unknown): string | undefined => {
  const { name, code } = shape(error);
  return code ?? name;
};

const NETWORK = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
]);
const THROTTLING = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "InternalError",
  "ServiceUnavailable",
  "ConditionalRequestConflict",
]);
const AUTH = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "AllAccessDisabled",
  "CredentialsProviderError",
  "Forbidden",
]);
const WRONG_REGION = new Set([
  "PermanentRedirect",
  "AuthorizationHeaderMalformed",
  "IllegalLocationConstraintException",
]);

/** A body that ended before the bytes its headers promised: worth another attempt. */
export class TruncatedBodyError extends Error {
  /** Node-style code, so it is classified like a connection reset. */
  readonly code = "ETRUNCATED";
  constructor(received: number, expected: number) {
    super(`the response body ended after ${received} of ${expected} bytes`);
    this.name = "TruncatedBodyError";
  }
}

/** True for failures another attempt may cure: 5xx, throttling, resets, timeouts, truncated bodies. */
export function isTransientS3Error(error: unknown): boolean {
  if (isDeployKitError(error)) return false;
  const status = httpStatus(error);
  const code = errorCode(error) ?? "";
  if (status !== undefined && ((status >= 500 && status !== 501) || status === 429)) return true;
  if (code === "ETRUNCATED" || NETWORK.has(code) || THROTTLING.has(code)) return true;
  return status === undefined && /socket hang up|aborted|ECONNRESET/i.test(shape(error).message ?? "");
}

/** True when the error came from S3 or the network (and so is the store's to explain). */
export function isStoreError(error: unknown): boolean {
  const { $metadata, name } = shape(error);
  return (
    $metadata !== undefined ||
    isTransientS3Error(error) ||
    name === "CredentialsProviderError" ||
    AUTH.has(errorCode(error) ?? "")
  );
}

/** True for "no such key" answers (404 without a bucket-level code). */
export function isMissingObject(error: unknown): boolean {
  const code = errorCode(error);
  return code === "NoSuchKey" || (httpStatus(error) === 404 && code !== "NoSuchBucket");
}

const endpointSetting = (ctx: S3ErrorContext) =>
  ctx.endpoint
    ? `the endpoint ${ctx.endpoint} (--endpoint / endpoint / AWS_ENDPOINT_URL_S3)`
    : "the region (--region / region / AWS_REGION) and your network's route to AWS S3";

/**
 * Turns an SDK, network or abort error into a {@link DeployKitError} with a hint naming the
 * setting to check. DeployKitErrors pass through unchanged.
 */
export function toStoreError(error: unknown, ctx: S3ErrorContext): DeployKitError {
  if (isDeployKitError(error)) return error;
  const code = errorCode(error) ?? "Unknown";
  const status = httpStatus(error);
  const reason = `${shape(error).message ?? code}${status ? ` (HTTP ${status} ${code})` : ` (${code})`}`;
  const details = { location: ctx.location, endpoint: ctx.endpoint, code, status, attempts: ctx.attempts };
  const make = (kind: ConstructorParameters<typeof DeployKitError>[0], message: string, hint: string) =>
    new DeployKitError(kind, message, { cause: error, hint, details });

  if (code === "AbortError" || shape(error).name === "AbortError")
    return make(
      "E_ABORTED",
      `Aborted while ${ctx.action} in ${ctx.location}.`,
      "Nothing was switched; run it again when ready.",
    );
  if (code === "NoSuchBucket")
    return make(
      "E_STORE_NOT_FOUND",
      `The bucket "${ctx.bucket}" does not exist (${ctx.action} in ${ctx.location}).`,
      `Check the bucket name (--store s3://BUCKET/prefix, option bucket) and ${endpointSetting(ctx)}.`,
    );
  if (WRONG_REGION.has(code) || status === 301)
    return make(
      "E_STORE_NOT_FOUND",
      `The bucket "${ctx.bucket}" is not reachable in this region (${ctx.action}): ${reason}.`,
      "Set the bucket's region (--region / region / AWS_REGION).",
    );
  if (AUTH.has(code) || status === 403 || shape(error).name === "CredentialsProviderError")
    return make(
      "E_STORE_AUTH",
      `Access to ${ctx.location} was denied while ${ctx.action}: ${reason}.`,
      "Check the credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the credentials option) " +
        `and that they may read, write and list s3://${ctx.bucket}.`,
    );
  const attempts = ctx.attempts && ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : "";
  return make(
    "E_STORE_UNAVAILABLE",
    `${ctx.location} failed while ${ctx.action}${attempts}: ${reason}.`,
    isTransientS3Error(error)
      ? `Check ${endpointSetting(ctx)}; the store may be down or the network flaky (raise retry.retries to wait longer).`
      : `The server refused the request; check that ${endpointSetting(ctx)} is an S3-compatible server.`,
  );
}
