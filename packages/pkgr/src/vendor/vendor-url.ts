import { type ArtifactStore, DeployKitError } from "@deploykit/core";

/** The fields of `@deploykit/core/s3`'s `S3Store` that say where it is served (read without importing the AWS SDK). */
interface S3StoreShape {
  bucket: string;
  prefix: string;
  client: {
    config: {
      endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path?: string }>;
      forcePathStyle?: boolean;
      region?: () => Promise<string>;
    };
  };
}

const isS3Store = (store: ArtifactStore): store is ArtifactStore & S3StoreShape => {
  const candidate = store as Partial<S3StoreShape>;
  return (
    typeof candidate.bucket === "string" &&
    typeof candidate.prefix === "string" &&
    typeof candidate.client?.config === "object"
  );
};

const trimSlashes = (url: string) => url.replace(/\/+$/, "");

/** Joins URL path segments, each percent-encoded, dropping empty ones. */
export const urlPath = (...parts: string[]) =>
  parts
    .flatMap((part) => part.split("/"))
    .filter(Boolean)
    .map(encodeURIComponent)
    .join("/");

async function s3PublicUrl(store: S3StoreShape): Promise<string> {
  const { config } = store.client;
  const prefix = urlPath(store.prefix);
  const endpoint = await config.endpoint?.();
  if (endpoint) {
    const host = `${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ""}`;
    const base = urlPath(endpoint.path ?? "");
    const path = config.forcePathStyle ? urlPath(base, store.bucket, prefix) : urlPath(base, prefix);
    const authority = config.forcePathStyle ? host : `${store.bucket}.${host}`;
    return trimSlashes(`${endpoint.protocol}//${authority}/${path}`);
  }
  const region = await config.region?.().catch(() => undefined);
  const s3Host = region ? `s3.${region}.amazonaws.com` : "s3.amazonaws.com";
  // A dotted bucket name breaks the TLS wildcard of the virtual-host form: use the path style then.
  return config.forcePathStyle || store.bucket.includes(".")
    ? trimSlashes(`https://${s3Host}/${urlPath(store.bucket, prefix)}`)
    : trimSlashes(`https://${store.bucket}.${s3Host}/${prefix}`);
}

/**
 * The `BUILDPACK_VENDOR_URL` for a store: `override` when given (an http(s) or file URL); an S3
 * store's public URL (`<endpoint>/<bucket>/<prefix>` path-style on a custom endpoint,
 * `https://<bucket>.s3.<region>.amazonaws.com/<prefix>` on AWS); a filesystem store's `file://`
 * URL (curl reads those); or `undefined` for a store the buildpack cannot download from (memory).
 *
 * @throws `DeployKitError` `E_INVALID_INPUT` for an override that is not such a URL
 */
export async function vendorBaseUrl(store: ArtifactStore, override?: string): Promise<string | undefined> {
  if (override !== undefined) {
    const url = URL.canParse(override) ? new URL(override) : undefined;
    if (!url || !["http:", "https:", "file:"].includes(url.protocol)) {
      throw new DeployKitError(
        "E_INVALID_INPUT",
        `"${override}" is not a URL the buildpack can download from.`,
        {
          hint: "Pass the http(s) URL the store is served at, e.g. https://bucket.s3.amazonaws.com/rubies.",
          details: { vendorUrl: override },
        },
      );
    }
    return trimSlashes(override);
  }
  if (isS3Store(store)) return s3PublicUrl(store);
  const location = store.location;
  if (location.startsWith("file:")) return trimSlashes(location);
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (s3) return trimSlashes(`https://${s3[1]}.s3.amazonaws.com/${urlPath(s3[2] ?? "")}`);
  return undefined;
}
