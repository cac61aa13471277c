import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ArtifactStore, createFsStore } from "@deploykit/core";
import type { Settings } from "./settings";

/**
 * Opens the store named by `--store` (or the config's `store`): a directory path or a
 * `file://` URL is the filesystem store.
 *
 * @throws {@link UsageError} when no store is given
 */
export async function openStore(settings: Settings, cwd: string): Promise<ArtifactStore> {
  const spec = settings.requiredString("store");
  if (spec.startsWith("file://")) return createFsStore({ dir: fileURLToPath(spec) });
  return createFsStore({ dir: isAbsolute(spec) ? spec : resolve(cwd, spec) });
}
