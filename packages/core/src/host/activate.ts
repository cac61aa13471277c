import { randomUUID } from "node:crypto";
import { mkdir, readlink, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { DeployKitError, throwIfAborted } from "../errors";
import { step } from "../events";
import type { ReleaseManifest } from "../manifest";
import { fetchArtifactFromCache } from "./cache";
import { activateDeb } from "./deb-activate";
import { extractRelease } from "./extract";
import type { HostLayout } from "./layout";
import type { HostPlan } from "./plan";
import { linkSharedDirs } from "./shared-dirs";
import type { InstalledEntry } from "./state";
import { switchCurrent } from "./switch-current";

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * True when `current` resolves to `dir` and `dir` is there: the live release, which is never
 * moved or replaced. A live release whose directory was removed is not: it is unpacked again.
 */
export async function isLive(layout: HostLayout, dir: string): Promise<boolean> {
  const target = await readlink(layout.current).catch(() => undefined);
  return target !== undefined && resolve(dirname(layout.current), target) === resolve(dir) && exists(dir);
}

/**
 * Puts a verified `.tgz` artifact on disk as `releases/<version>`: unpacked into a staging dir,
 * shared dirs linked, then renamed into place, so `releases/<version>` is complete or absent.
 * The live release's directory is reused as it is, never moved aside. An abort while unpacking
 * undoes the step (the staging dir is removed).
 *
 * @returns the release directory.
 */
async function unpackRelease(plan: HostPlan, manifest: ReleaseManifest, artifact: string): Promise<string> {
  const { layout, onEvent, signal } = plan;
  const dir = layout.release(manifest.version);
  if (await isLive(layout, dir)) return dir;
  return step(onEvent, "unpack", `Unpacking ${manifest.app} ${manifest.version}`, async () => {
    // Staged next to its final place, so relative shared-dir links stay right after the rename.
    const staging = join(layout.releases, `.staging-${manifest.version}-${randomUUID()}`);
    try {
      await mkdir(layout.releases, { recursive: true });
      await extractRelease(artifact, staging);
      await linkSharedDirs(staging, layout.shared, plan.sharedDirs);
      throwIfAborted(signal);
      if (await exists(dir)) {
        const trash = join(layout.releases, `.trash-${randomUUID()}`);
        await rename(dir, trash);
        await rename(staging, dir);
        await rm(trash, { recursive: true, force: true });
      } else {
        await rename(staging, dir);
      }
      return dir;
    } finally {
      // maxRetries: a failed extraction may still be closing files in it (ENOTEMPTY).
      await rm(staging, { recursive: true, force: true, maxRetries: 5 });
    }
  });
}

/**
 * Makes an activated release the one that runs: for a `.tgz`, switches `current` to its
 * directory (`E_NOT_FOUND` when it is gone); a `.deb` is live once dpkg installed it.
 */
export async function makeLive(plan: HostPlan, manifest: ReleaseManifest, dir: string): Promise<void> {
  if (manifest.format === "deb") return;
  if (!(await exists(dir))) {
    throw new DeployKitError("E_NOT_FOUND", `${dir} is missing, so ${manifest.version} cannot go live.`, {
      hint: "Install that version again from the store.",
    });
  }
  await step(plan.onEvent, "switch", `Switching current to ${manifest.version}`, () =>
    switchCurrent(plan.layout.current, dir),
  );
}

/**
 * Puts a verified artifact on the host, by format: a `.tgz` is unpacked into
 * `releases/<version>` (not yet live: see {@link makeLive}); a `.deb` is installed with the real
 * dpkg (live at once).
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
  return unpackRelease(plan, manifest, artifact);
}

/**
 * Puts an installed release back on disk without the network, ready for {@link makeLive}: a
 * `.tgz` from its directory (or unpacked again from the cached artifact if the directory was
 * removed), a `.deb` reinstalled from the cache (dpkg downgrades in place).
 */
export async function reactivate(plan: HostPlan, entry: InstalledEntry): Promise<string> {
  const { manifest } = entry;
  if (manifest.format === "tgz" && (await exists(entry.dir))) return entry.dir;
  return activateArtifact(plan, manifest, await fetchArtifactFromCache(plan.layout, entry));
}

/**
 * The `warning` event of an install of the live version whose directory is gone (or that
 * `current` no longer points at): it is unpacked again rather than reported unchanged.
 */
export function missingLive(plan: HostPlan, live: { version: string; dir: string }): void {
  plan.onEvent?.({
    type: "warning",
    step: "unpack",
    message: `${live.version} is live but ${live.dir} is missing (or current does not point at it): unpacking it again.`,
  });
}
