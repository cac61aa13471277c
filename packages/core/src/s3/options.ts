import type { S3ClientConfig } from "@aws-sdk/client-s3";
import { DeployKitError } from "../errors";
import type { EventSink } from "../events";
import { assertStoreKey } from "../store/keys";
import { S3Client } from "./sdk";

/** How the SDK computes and checks CRC checksums (its own names and values). */
export type ChecksumMode = "WHEN_SUPPORTED" | "WHEN_REQUIRED";

/** Backoff of the whole-operation retries (p-retry: exponential, with jitter). */
export interface S3RetryOptions {
  /** Retries after the first attempt. Default 4. */
  retries?: number;
  /** Delay before the first retry, in ms. Default 200. */
  minTimeout?: number;
  /** Longest delay between two retries, in ms. Default 5000. */
  maxTimeout?: number;
}

/** Options for `createS3Store`. Only `bucket` is required. */
export interface S3StoreOptions {
  /** Bucket name. */
  bucket: string;
  /** Key prefix inside the bucket (no leading or trailing `/` needed), e.g. `deploykit`. */
  prefix?: string;
  /** Region; default: the SDK's (AWS_REGION, the profile), or `us-east-1` with a custom endpoint. */
  region?: string;
  /**
   * An S3-compatible endpoint (MinIO, Ceph, R2...), e.g. `http://127.0.0.1:9000`.
   * Default: `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, else AWS itself.
   */
  endpoint?: string;
  /** Path-style addressing (`host/bucket/key`). Default: true with a custom endpoint, else false. */
  forcePathStyle?: boolean;
  /** Static credentials or a provider. Default: the SDK's chain (env, AWS_PROFILE, SSO, instance role). */
  credentials?: S3ClientConfig["credentials"];
  /** Default: `WHEN_REQUIRED` with a custom endpoint (many compatible servers reject CRC trailers), else the SDK's. */
  requestChecksumCalculation?: ChecksumMode;
  /** Default: `WHEN_REQUIRED` with a custom endpoint, else the SDK's. */
  responseChecksumValidation?: ChecksumMode;
  /** Use this client instead of building one; the options above that configure a client are then ignored. */
  client?: S3Client;
  /** Download range size in bytes; objects larger than this are fetched in ranges. Default 4 MiB. */
  partSize?: number;
  /** Ranged GETs in flight per download (memory: about concurrency × partSize). Default 6. */
  concurrency?: number;
  /** Smallest multipart part in bytes (>= 5 MiB); grows so an object never needs over 10,000 parts. Default 8 MiB. */
  uploadPartSize?: number;
  /** Parts uploaded in parallel (lib-storage `queueSize`). Default 4. */
  queueSize?: number;
  /** Whole-operation retries on transient errors (5xx, throttling, resets, truncated bodies). */
  retry?: S3RetryOptions;
  /** Attempts per HTTP request inside the SDK (its own retry layer). Default 3. */
  maxAttempts?: number;
  /** Give up connecting after this many ms. Default 10000. */
  connectionTimeout?: number;
  /** Close a socket idle for this many ms (a stalled body counts as idle). Default 60000. */
  idleTimeout?: number;
  /**
   * Send `If-None-Match: *` on create-only writes (atomic on AWS S3 and recent MinIO). Default true.
   * A HEAD check runs before every create-only write either way; without server support that
   * check is all there is, and two concurrent writers can race.
   */
  conditionalWrites?: boolean;
  /** Receives a `warning` event for each retried failure. */
  onEvent?: EventSink;
}

/** Settings after defaults, as the store's parts use them. */
export interface ResolvedS3Options {
  bucket: string;
  /** Normalised prefix: `""` or `segment/.../` with a trailing slash. */
  prefix: string;
  endpoint: string | undefined;
  partSize: number;
  concurrency: number;
  uploadPartSize: number;
  queueSize: number;
  retry: Required<S3RetryOptions>;
  conditionalWrites: boolean;
  onEvent: EventSink | undefined;
}

const MiB = 1024 * 1024;
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

const invalid = (message: string, hint: string) => new DeployKitError("E_INVALID_INPUT", message, { hint });

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min)
    throw invalid(`S3 store option ${name} must be an integer >= ${min}, got ${value}.`, `Fix ${name}.`);
  return resolved;
}

/** An endpoint must be an http(s) URL: anything else would only fail later as "unavailable". */
function endpointUrl(value: string | undefined, source: string): string | undefined {
  if (value === undefined) return undefined;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol === "http:" || url?.protocol === "https:") return value;
  throw invalid(
    `The S3 endpoint "${value}" (${source}) is not an http:// or https:// URL.`,
    "Give the server's URL with its scheme, e.g. --endpoint http://127.0.0.1:9000.",
  );
}

/** Validates options and applies defaults. @throws `E_INVALID_INPUT` */
export function resolveS3Options(options: S3StoreOptions): ResolvedS3Options {
  if (!BUCKET.test(options.bucket ?? ""))
    throw invalid(
      `"${options.bucket}" is not a valid S3 bucket name.`,
      "Use 3-63 lowercase letters, digits, '.', '-' (the bucket of --store s3://BUCKET/prefix).",
    );
  const trimmed = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
  if (trimmed) assertStoreKey(trimmed);
  const env = process.env;
  return {
    bucket: options.bucket,
    prefix: trimmed ? `${trimmed}/` : "",
    endpoint:
      options.endpoint !== undefined
        ? endpointUrl(options.endpoint, "endpoint")
        : env.AWS_ENDPOINT_URL_S3 !== undefined
          ? endpointUrl(env.AWS_ENDPOINT_URL_S3, "AWS_ENDPOINT_URL_S3")
          : endpointUrl(env.AWS_ENDPOINT_URL, "AWS_ENDPOINT_URL"),
    partSize: positive("partSize", options.partSize, 4 * MiB),
    concurrency: positive("concurrency", options.concurrency, 6),
    uploadPartSize: positive("uploadPartSize", options.uploadPartSize, 8 * MiB, 5 * MiB),
    queueSize: positive("queueSize", options.queueSize, 4),
    retry: {
      retries: positive("retry.retries", options.retry?.retries, 4, 0),
      minTimeout: positive("retry.minTimeout", options.retry?.minTimeout, 200, 0),
      maxTimeout: positive("retry.maxTimeout", options.retry?.maxTimeout, 5000, 0),
    },
    conditionalWrites: options.conditionalWrites ?? true,
    onEvent: options.onEvent,
  };
}

/** Builds the SDK client from the options (or returns the injected one). */
export function createS3Client(options: S3StoreOptions, endpoint: string | undefined): S3Client {
  if (options.client) return options.client;
  const custom = endpoint !== undefined;
  const checksums = (mode: ChecksumMode | undefined) => mode ?? (custom ? "WHEN_REQUIRED" : undefined);
  const config: S3ClientConfig = {
    forcePathStyle: options.forcePathStyle ?? custom,
    maxAttempts: positive("maxAttempts", options.maxAttempts, 3),
    followRegionRedirects: !custom,
    requestHandler: {
      connectionTimeout: positive("connectionTimeout", options.connectionTimeout, 10_000),
      socketTimeout: positive("idleTimeout", options.idleTimeout, 60_000),
      httpAgent: { keepAlive: true, maxSockets: 64 },
      httpsAgent: { keepAlive: true, maxSockets: 64 },
    },
  };
  const region = options.region ?? (custom && !process.env.AWS_REGION ? "us-east-1" : undefined);
  if (region) config.region = region;
  if (endpoint) config.endpoint = endpoint;
  if (options.credentials) config.credentials = options.credentials;
  const request = checksums(options.requestChecksumCalculation);
  const response = checksums(options.responseChecksumValidation);
  if (request) config.requestChecksumCalculation = request;
  if (response) config.responseChecksumValidation = response;
  return new S3Client(config);
}
