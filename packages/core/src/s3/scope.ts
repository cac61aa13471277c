import { DeployKitError } from "../errors";
import { httpStatus, isMissingObject } from "./errors";
import type { ResolvedS3Options } from "./options";
import { withRequestSignal } from "./request-signal";
import { type RetryScope, withRetries } from "./retry";
import { HeadBucketCommand, HeadObjectCommand, type S3Client } from "./sdk";
import { UPLOAD_TOKEN } from "./upload-token";

/** Everything the store's operations share: the client, settings, and the bucket check. */
export interface StoreScope extends RetryScope, Omit<ResolvedS3Options, "retry" | "onEvent" | "endpoint"> {
  client: S3Client;
  /** The bucket key of a store key. */
  objectKey(key: string): string;
  /** Resolves once the bucket is known to exist (cached); `E_STORE_NOT_FOUND` when it does not. */
  ensureBucket(signal?: AbortSignal): Promise<void>;
}

/** What a HEAD found. */
export interface FoundObject {
  size: number;
  etag: string | undefined;
  metadata: Record<string, string>;
}

/** Builds the scope's cached bucket check. */
export function bucketCheck(scope: Omit<StoreScope, "ensureBucket">): StoreScope["ensureBucket"] {
  let known: Promise<void> | undefined;
  return (signal) => {
    known ??= withRetries(scope, `checking the bucket ${scope.bucket}`, signal, async () => {
      try {
        await withRequestSignal(signal, (request) =>
          scope.client.send(new HeadBucketCommand({ Bucket: scope.bucket }), { abortSignal: request }),
        );
      } catch (error) {
        // A principal allowed to read objects but not to list the bucket gets 403: assume it exists.
        if (httpStatus(error) === 403) return;
        if (httpStatus(error) !== 404) throw error;
        throw new DeployKitError(
          "E_STORE_NOT_FOUND",
          `The bucket "${scope.bucket}" does not exist (${scope.location}).`,
          {
            cause: error,
            hint: `Check the bucket name (--store s3://BUCKET/prefix, option bucket) and ${
              scope.endpoint
                ? `the endpoint ${scope.endpoint} (--endpoint / AWS_ENDPOINT_URL_S3)`
                : "the region (--region / AWS_REGION)"
            }.`,
            details: { bucket: scope.bucket, location: scope.location, endpoint: scope.endpoint },
          },
        );
      }
    }).catch((error) => {
      known = undefined;
      throw error;
    });
    return known;
  };
}

/** HEADs an object; `undefined` when the key is missing (and the bucket exists). */
export async function headObject(
  scope: StoreScope,
  key: string,
  signal?: AbortSignal,
): Promise<FoundObject | undefined> {
  const found = await withRetries(scope, `reading the info of ${key}`, signal, async () => {
    try {
      const out = await withRequestSignal(signal, (request) =>
        scope.client.send(new HeadObjectCommand({ Bucket: scope.bucket, Key: scope.objectKey(key) }), {
          abortSignal: request,
        }),
      );
      const { [UPLOAD_TOKEN]: _token, ...metadata } = out.Metadata ?? {};
      return { size: out.ContentLength ?? 0, etag: out.ETag, metadata };
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  });
  if (!found) await scope.ensureBucket(signal);
  return found;
}
