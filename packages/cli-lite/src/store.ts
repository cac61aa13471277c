import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ArtifactStore, assertDirectory, createFsStore, type EventSink } from "@deploykit/core";
import type { Settings } from "./settings";
import { UsageError } from "./usage";

const STORE_FORMS = "a directory path, file:///abs/dir or s3://bucket/prefix";

/** What `--store` names: an S3 URL, or a local directory (resolved against `cwd`). */
export type StoreLocation = { kind: "s3"; url: string } | { kind: "dir"; dir: string };

/**
 * Parses `--store` by scheme before anything is written: a plain path or `file://` URL is a
 * directory, `s3://bucket[/prefix]` the S3 store; any other scheme (`https://`, `ftp://`) or a
 * mistyped one (`s3:/bucket`) is refused instead of becoming a local folder named after the URL.
 *
 * @throws {@link UsageError} (exit 2)
 */
export function parseStoreLocation(spec: string, cwd: string): StoreLocation {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(spec)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: "dir", dir: isAbsolute(spec) ? spec : resolve(cwd, spec) };
  if (scheme === "s3" && /^s3:\/\/[^/]+/i.test(spec)) return { kind: "s3", url: spec };
  if (scheme === "file" && spec.startsWith("file://")) {
    try {
      return { kind: "dir", dir: fileURLToPath(spec) };
    } catch (error) {
      throw new UsageError(
        `--store ${spec} is not a usable file:// URL (${(error as Error).message}).`,
        `Use ${STORE_FORMS}.`,
      );
    }
  }
  const known = scheme === "s3" || scheme === "file";
  throw new UsageError(
    known
      ? `--store ${spec} is malformed: ${scheme}:// needs two slashes${scheme === "s3" ? " and a bucket" : ""}.`
      : `--store ${spec}: the ${scheme}:// scheme is not a store deploykit can use.`,
    `Use ${STORE_FORMS} (a relative path containing ":" must start with ./).`,
  );
}

/**
 * Opens the store named by `--store` (or the config's `store`): `s3://bucket/prefix` is the S3
 * store (with `--endpoint`, `--region`, `--path-style`; credentials from the AWS SDK's usual
 * chain), a directory path or a `file://` URL the filesystem store. The S3 module is loaded only
 * when needed. `mustExist` (for commands that only read) refuses a directory that does not
 * exist, so a typo never looks like an empty store.
 *
 * @throws {@link UsageError} for a malformed location; `DeployKitError` `E_NOT_FOUND`,
 * `E_NOT_A_DIRECTORY` for a directory store that is missing or a file.
 */
export async function openStore(
  settings: Settings,
  cwd: string,
  onEvent?: EventSink,
  options: { mustExist?: boolean } = {},
): Promise<ArtifactStore> {
  const location = parseStoreLocation(settings.requiredString("store"), settings.baseDir("store", cwd));
  if (location.kind === "s3") {
    const { createS3Store, parseS3StoreUrl } = await import("@deploykit/core/s3");
    const endpoint = settings.string("endpoint");
    const region = settings.string("region");
    const forcePathStyle = settings.boolean("pathStyle") ?? settings.boolean("forcePathStyle");
    // A custom endpoint (flag or AWS_ENDPOINT_URL[_S3]) defaults to us-east-1; AWS itself needs one.
    const custom = endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    if (custom === undefined && region === undefined) await assertRegionKnown();
    return createS3Store({
      ...parseS3StoreUrl(location.url),
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(forcePathStyle !== undefined ? { forcePathStyle } : {}),
      ...(onEvent ? { onEvent } : {}),
    });
  }
  await assertDirectory(location.dir, {
    what: "The store",
    mustExist: options.mustExist === true,
    hint: `Check --store (or store in the config): ${STORE_FORMS}.`,
  });
  return createFsStore({ dir: location.dir });
}

/**
 * AWS S3 needs a region; without `--region` the SDK looks in AWS_REGION and the shared config
 * file's profile (~/.aws/config). Asked of the SDK's own resolver (no request is made), so a
 * missing one is a usage error before anything is sent, not a store failure at the first request.
 * @throws {@link UsageError} `E_INVALID_INPUT`
 */
async function assertRegionKnown(): Promise<void> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  const client = new S3Client({});
  try {
    await client.config.region();
  } catch {
    throw new UsageError(
      "The S3 store needs the bucket's region, and none is set.",
      "Pass --region eu-west-1 (config: region), or set AWS_REGION or region in your AWS profile (~/.aws/config).",
      "E_INVALID_INPUT",
    );
  } finally {
    client.destroy();
  }
}
