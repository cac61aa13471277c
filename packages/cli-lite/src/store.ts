import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ArtifactStore, createFsStore, type EventSink } from "@deploykit/core";
import type { Settings } from "./settings";

/**
 * Opens the store named by `--store` (or the config's `store`): `s3://bucket/prefix` is the S3
 * store (with `--endpoint`, `--region`, `--path-style`; credentials from the AWS SDK's usual
 * chain), a directory path or a `file://` URL the filesystem store. The S3 module is loaded only
 * when needed.
 *
 * @throws {@link UsageError} when no store is given
 */
export async function openStore(
  settings: Settings,
  cwd: string,
  onEvent?: EventSink,
): Promise<ArtifactStore> {
  const spec = settings.requiredString("store");
  if (spec.startsWith("s3://")) {
    const { createS3Store, parseS3StoreUrl } = await import("@deploykit/core/s3");
    const endpoint = settings.string("endpoint");
    const region = settings.string("region");
    const forcePathStyle = settings.boolean("pathStyle") ?? settings.boolean("forcePathStyle");
    return createS3Store({
      ...parseS3StoreUrl(spec),
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(forcePathStyle !== undefined ? { forcePathStyle } : {}),
      ...(onEvent ? { onEvent } : {}),
    });
  }
  if (spec.startsWith("file://")) return createFsStore({ dir: fileURLToPath(spec) });
  return createFsStore({ dir: isAbsolute(spec) ? spec : resolve(cwd, spec) });
}
