import { DeployKitError } from "../errors";

/** The parts of an `s3://bucket/prefix` store URL. */
export interface S3StoreUrl {
  bucket: string;
  /** The key prefix, without leading or trailing `/` (`""` for the bucket's root). */
  prefix: string;
}

/**
 * Parses the CLI's `--store s3://bucket/prefix` into `createS3Store` options.
 *
 * @example
 * ```ts
 * createS3Store({ ...parseS3StoreUrl("s3://releases/deploykit"), region: "eu-west-1" })
 * ```
 * @throws DeployKitError `E_INVALID_INPUT` for anything but `s3://bucket[/prefix]`.
 */
export function parseS3StoreUrl(url: string): S3StoreUrl {
  const match = /^s3:\/\/([^/?#]+)\/?([^?#]*)$/.exec(url.trim());
  if (!match?.[1]) {
    throw new DeployKitError("E_INVALID_INPUT", `"${url}" is not an S3 store URL.`, {
      hint: "Use s3://BUCKET or s3://BUCKET/prefix (endpoint and region are separate options).",
      details: { url },
    });
  }
  return { bucket: match[1], prefix: (match[2] ?? "").replace(/^\/+|\/+$/g, "") };
}

/** True when a `--store` value names an S3 bucket rather than a directory. */
export const isS3StoreUrl = (value: string): boolean => value.trim().startsWith("s3://");
