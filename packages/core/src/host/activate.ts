import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError } from "../errors";
import { type EventSink, step } from "../events";
import type { HostPlan } from "../install";
import type { ReleaseManifest } from "../manifest";
import { fetchArtifactFromCache } from "./cache";
import { activateDeb } from "./deb-activate";
import { extractRelease } from "./extract";
import type { HostLayout } from "./layout";
import { linkSharedDirs } from "./shared-dirs";
import type { InstalledEntry } from "./state";
import { switchCurrent } from "./switch-current";

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Puts a verified `.tgz` artifact on disk as `releases/<version>`: unpacked into a staging dir,
 * shared dirs linked, then renamed into place, so `releases/<version>` is complete or absent.
 *
 * @returns the release directory.
 */
async function unpackRelease(
  manifest: ReleaseManifest,
  artifact: string,
  layout: HostLayout,
  sharedDirs: readonly string[],
  onEvent?: EventSink,
): Promise<string> {
  const dir = layout.release(manifest.version);
  return step(onEvent, "unpack", `Unpacking ${manifest.app} ${manifest.version}`, async () => {
    // Staged next to its final place, so relative shared-dir links stay right after the rename.
    const staging = join(layout.releases, `.staging-${manifest.version}-${randomUUID()}`);
    try {
      await mkdir(layout.releases, { recursive: true });
      await extractRelease(artifact, staging);
      await linkSharedDirs(staging, layout.shared, sharedDirs);
      if (await exists(dir)) {
        const trash = join(layout.releases, `.trash-${randomUUID()}`);
        await rename(dir, trash);
        await rm(trash, { recursive: true, force: true });
      }
      await rename(staging, dir);
      return dir;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });
}

/** Points `current` at an unpacked release; `E_NOT_FOUND` when its directory is gone. */
async function switchTo(
  manifest: ReleaseManifest,
  dir: string,
  layout: HostLayout,
  onEvent?: EventSink,
): Promise<void> {
  if (!(await exists(dir))) {
    throw new DeployKitError("E_NOT_FOUND", `${dir} is missing, so ${manifest.version} cannot go live.`, {
      hint: "Install that version again from the store.",
    });
  }
  await step(onEvent, "switch", `Switching current to ${manifest.version}`, () =>
    switchCurrent(layout.current, dir),
  );
}

/**
 * Makes a verified artifact the live release, by format: a `.tgz` is unpacked into
 * `releases/<version>` and `current` switched to it; a `.deb` is installed with the real dpkg.
 *
 * @returns the release's directory (for a `.deb`, the package's app home).
 */
export async function activateArtifact(
  plan: HostPlan,
  manifest: ReleaseManifest,
  artifact: string,
): Promise<string> {
  const { layout, onEvent, signal } = plan;
  if (manifest.format === "deb") {
    return (
      await activateDeb({
        artifactPath: artifact,
        manifest,
        layout,
        runner: plan.ports.runner,
        onEvent,
        signal,
      })
    ).dir;
  }
  const dir = await unpackRelease(manifest, artifact, layout, plan.sharedDirs, onEvent);
  await switchTo(manifest, dir, layout, onEvent);
  return dir;
}

/**
 * Makes an installed release live again without the network: a `.tgz` from its directory (or
 * unpacked again from the cached artifact if the directory was removed), a `.deb` reinstalled
 * from the cache (dpkg downgrades in place).
 */
export async function reactivate(plan: HostPlan, entry: InstalledEntry): Promise<string> {
  const { manifest } = entry;
  if (manifest.format === "tgz" && (await exists(entry.dir))) {
    await switchTo(manifest, entry.dir, plan.layout, plan.onEvent);
    return entry.dir;
  }
  return activateArtifact(plan, manifest, await fetchArtifactFromCache(plan.layout, entry));
}
