import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError } from "../errors";
import { type EventSink, step } from "../events";
import type { ReleaseManifest } from "../manifest";
import { extractRelease } from "./extract";
import type { HostLayout } from "./layout";
import { linkSharedDirs } from "./shared-dirs";
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
export async function unpackRelease(
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

/** Makes an on-disk release the live one by switching `current`. */
export async function goLive(
  manifest: ReleaseManifest,
  dir: string,
  layout: HostLayout,
  onEvent?: EventSink,
): Promise<void> {
  if (manifest.format !== "tgz") {
    throw new DeployKitError(
      "E_UNSUPPORTED_FORMAT",
      `Installing ${manifest.format} artifacts is not supported yet.`,
      {
        hint: "Build with format 'tgz'.",
      },
    );
  }
  if (!(await exists(dir))) {
    throw new DeployKitError("E_NOT_FOUND", `${dir} is missing, so ${manifest.version} cannot go live.`, {
      hint: "Install that version again from the store.",
    });
  }
  await step(onEvent, "switch", `Switching current to ${manifest.version}`, () =>
    switchCurrent(layout.current, dir),
  );
}
