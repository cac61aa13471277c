import type { Readable } from "node:stream";
import type {
  ArtifactStore,
  GetOptions,
  ObjectInfo,
  PutFileOptions,
  PutOptions,
} from "../store/artifact-store";
import { assertStoreKey } from "../store/keys";
import { download } from "./download";
import { createS3Client, resolveS3Options, type S3StoreOptions } from "./options";
import { presignedGet } from "./presign";
import { withRetries } from "./retry";
import { bucketCheck, headObject, type StoreScope } from "./scope";
import { DeleteObjectCommand, ListObjectsV2Command, type S3Client } from "./sdk";
import { upload } from "./upload";
import { uploadFile } from "./upload-file";

/** An {@link ArtifactStore} on S3 or an S3-compatible server. */
export interface S3Store extends ArtifactStore {
  /** The SDK client in use (the injected one, or the one the store built). */
  readonly client: S3Client;
  /** The bucket. */
  readonly bucket: string;
  /** Writes a file by its byte ranges (see {@link ArtifactStore.putFile}; `uploadFile` in this package's README). */
  putFile(key: string, path: string, options?: PutFileOptions): Promise<void>;
  /** The key prefix inside the bucket: `""` or ending in `/`. */
  readonly prefix: string;
  /** Closes the client's sockets when the store built it (an injected client is left alone). */
  destroy(): void;
}

const byKey = (a: ObjectInfo, b: ObjectInfo) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Creates an {@link ArtifactStore} backed by an S3 bucket (AWS, MinIO, Ceph, R2, s3rver...).
 *
 * Uploads stream through multipart (`@aws-sdk/lib-storage`) in constant memory, with a part size
 * that grows so 10,000 parts are never exceeded; `putFile` sends a file's byte ranges as the
 * parts instead (no buffering, no hashing: as cheap as `curl -T`), each retried from the file. Downloads of objects larger than `partSize` use
 * `concurrency` ranged GETs in parallel, emitted in order, each retried on its own; a body that
 * ends early is retried and never passed on as complete. Whole operations are retried (p-retry,
 * exponential backoff with jitter) on transient errors only. Failures are DeployKitErrors:
 * `E_NOT_FOUND`, `E_OBJECT_EXISTS`, `E_STORE_NOT_FOUND`, `E_STORE_AUTH`, `E_STORE_UNAVAILABLE`,
 * `E_ABORTED`.
 *
 * @example
 * ```ts
 * import { createS3Store } from "@deploykit/core/s3"
 * const store = createS3Store({ bucket: "releases", prefix: "deploykit", region: "eu-west-1" })
 * await publish(pkg, { store, channel: "production" })
 *
 * // any S3-compatible server: path-style and WHEN_REQUIRED checksums are the defaults there
 * const minio = createS3Store({ bucket: "releases", endpoint: "http://minio:9000" })
 * ```
 */
export function createS3Store(options: S3StoreOptions): S3Store {
  const resolved = resolveS3Options(options);
  const client = createS3Client(options, resolved.endpoint);
  const location = `s3://${resolved.bucket}/${resolved.prefix}`;
  const base: Omit<StoreScope, "ensureBucket"> = {
    ...resolved,
    client,
    location,
    objectKey: (key) => `${resolved.prefix}${key}`,
  };
  const scope: StoreScope = { ...base, ensureBucket: bucketCheck(base) };

  return {
    location,
    client,
    bucket: resolved.bucket,
    prefix: resolved.prefix,

    async put(key: string, body: Readable | Uint8Array | string, opts: PutOptions = {}): Promise<void> {
      assertStoreKey(key);
      await upload(scope, key, body, opts);
    },

    async putFile(key: string, path: string, opts: PutFileOptions = {}): Promise<void> {
      assertStoreKey(key);
      await uploadFile(scope, key, path, opts);
    },

    async get(key: string, opts: GetOptions = {}): Promise<Readable> {
      assertStoreKey(key);
      return download(scope, key, opts.range, opts.signal);
    },

    async presignGet(key: string, expiresInS: number): Promise<string> {
      assertStoreKey(key);
      return presignedGet(scope, key, expiresInS);
    },

    async head(key: string): Promise<ObjectInfo | undefined> {
      assertStoreKey(key);
      const found = await headObject(scope, key);
      return found && { key, size: found.size, metadata: found.metadata };
    },

    async list(prefix: string): Promise<ObjectInfo[]> {
      const found: ObjectInfo[] = [];
      let token: string | undefined;
      do {
        const page = await withRetries(scope, `listing ${prefix || "all keys"}`, undefined, () =>
          client.send(
            new ListObjectsV2Command({
              Bucket: resolved.bucket,
              Prefix: `${resolved.prefix}${prefix}`,
              ...(token ? { ContinuationToken: token } : {}),
            }),
          ),
        );
        for (const object of page.Contents ?? [])
          if (object.Key)
            found.push({ key: object.Key.slice(resolved.prefix.length), size: object.Size ?? 0 });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return found.sort(byKey);
    },

    async delete(key: string): Promise<void> {
      assertStoreKey(key);
      await withRetries(scope, `deleting ${key}`, undefined, () =>
        client.send(new DeleteObjectCommand({ Bucket: resolved.bucket, Key: scope.objectKey(key) })),
      );
    },

    destroy(): void {
      if (!options.client) client.destroy();
    },
  };
}
