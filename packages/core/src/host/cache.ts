import { stat } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError } from "../errors";
import { sha256OfFile } from "../hashing";
import type { ReleaseManifest } from "../manifest";
import type { HostLayout } from "./layout";
import type { InstalledEntry } from "./state";

/**
 * True when `path` holds exactly the artifact a manifest describes: its size, then its sha256
 * (streamed). The one check of "is the cached copy intact", for installs and rollbacks alike.
 */
export async function isIntactArtifact(
  path: string,
  artifact: ReleaseManifest["artifact"],
): Promise<boolean> {
  const size = (await stat(path).catch(() => undefined))?.size;
  return size === artifact.size && (await sha256OfFile(path)) === artifact.sha256;
}

/** The cached artifact of an installed release. @throws `E_NOT_FOUND` when it was pruned. */
export async function fetchArtifactFromCache(layout: HostLayout, entry: InstalledEntry): Promise<string> {
  const path = entry.cached ? join(layout.cache, entry.cached) : undefined;
  if (!path || !(await isIntactArtifact(path, entry.manifest.artifact))) {
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
