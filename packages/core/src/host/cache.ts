import { stat } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError } from "../errors";
import { sha256OfFile } from "./fetch-artifact";
import type { HostLayout } from "./layout";
import type { InstalledEntry } from "./state";

/** The cached artifact of an installed release. @throws `E_NOT_FOUND` when it was pruned. */
export async function fetchArtifactFromCache(layout: HostLayout, entry: InstalledEntry): Promise<string> {
  const path = entry.cached ? join(layout.cache, entry.cached) : undefined;
  const intact =
    path !== undefined &&
    (await stat(path).catch(() => undefined))?.size === entry.manifest.artifact.size &&
    (await sha256OfFile(path)) === entry.manifest.artifact.sha256;
  if (!path || !intact) {
    throw new DeployKitError(
      "E_NOT_FOUND",
      `Neither the release dir nor an intact cached artifact of ${entry.manifest.version} is on this host.`,
      {
        hint: "Install that version again from the store.",
      },
    );
  }
  return path;
}
