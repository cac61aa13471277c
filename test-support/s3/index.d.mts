/**
 * Test utilities for deploykit's S3 store (repo-internal, not published).
 *
 * `startS3()` gives a test an S3 server with a fresh bucket: by default `s3rver` in a child process
 * on a random 127.0.0.1 port; when `DEPLOYKIT_TEST_S3_ENDPOINT` is set, that server instead
 * (`DEPLOYKIT_TEST_S3_ACCESS_KEY_ID`, `DEPLOYKIT_TEST_S3_SECRET_ACCESS_KEY`,
 * `DEPLOYKIT_TEST_S3_REGION`, and `DEPLOYKIT_TEST_S3_BUCKET` to use an existing bucket; without
 * it a bucket is created), with a fresh random `prefix` for isolation.
 *
 * @example
 * ```ts
 * import { startS3 } from "../../../test-support/s3/index.mjs"
 * const s3 = await startS3()
 * const store = createS3Store({ ...s3, prefix: s3.prefix })   // endpoint, region, bucket, credentials
 * afterAll(() => s3.stop())
 * ```
 */

export {
  type FaultProxy,
  type FaultStats,
  type Faults,
  type RequestInfo,
  startFaultProxy,
} from "./fault-proxy.mjs";

/** An access key pair. */
export interface TestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** s3rver's only key pair (`S3RVER` / `S3RVER`); other access key ids get `InvalidAccessKeyId`. */
export declare const S3RVER_CREDENTIALS: Readonly<TestCredentials>;

/** A running S3 server with a bucket for one test file. */
export interface TestS3 {
  /** `s3rver` started here, or an `external` server from the environment. */
  kind: "s3rver" | "external";
  /** e.g. `http://127.0.0.1:43123`. */
  endpoint: string;
  region: string;
  /** A bucket that exists and is this test file's alone (or the env's bucket, with `prefix`). */
  bucket: string;
  /** Key prefix to use inside the bucket (`""` for s3rver, a random folder for external servers). */
  prefix: string;
  credentials: TestCredentials;
  /** s3rver's data directory (s3rver only). */
  directory?: string;
  /** s3rver's process id (s3rver only: it runs as a child process). */
  pid?: number;
  /**
   * Flips one byte of a stored object on the server side (`key` is relative to `prefix`):
   * in place in s3rver's files (size and ETag unchanged), or by rewriting it elsewhere.
   */
  corrupt(key: string, offset?: number): Promise<void>;
  /** Stops s3rver and deletes its files (external: deletes the objects under `prefix`). */
  stop(): Promise<void>;
}

/** Options for {@link startS3}. */
export interface StartS3Options {
  /** Bucket name to create (s3rver only); default a random `test-...` name. */
  bucket?: string;
  /** Always start s3rver, even when DEPLOYKIT_TEST_S3_ENDPOINT is set (tests that need its files). */
  local?: boolean;
  /**
   * The address s3rver listens on (and the endpoint names); default 127.0.0.1. E.g. an SSH test
   * host's `controlAddress`, for a host that downloads from the store itself. Implies `local`.
   */
  address?: string;
}

/** Starts (or connects to) an S3 server with a fresh bucket. */
export declare function startS3(options?: StartS3Options): Promise<TestS3>;
