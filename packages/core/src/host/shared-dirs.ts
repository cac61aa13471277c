import { mkdir, rm, symlink } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { DeployKitError } from "../errors";

/** Directories under `shared/` linked into every release by default (Capistrano's linked_dirs). */
export const DEFAULT_SHARED_DIRS = ["log", "tmp/pids"];

/** @throws {@link DeployKitError} `E_INVALID_INPUT` for a shared dir that is absolute or climbs out. */
export function assertSharedDirs(dirs: readonly string[]): void {
  for (const dir of dirs) {
    if (
      dir === "" ||
      dir.startsWith("/") ||
      dir.split("/").some((p) => p === ".." || p === "." || p === "")
    ) {
      throw new DeployKitError(
        "E_INVALID_INPUT",
        `Shared dir "${dir}" must be a relative path inside the release.`,
        {
          hint: 'Use paths like "log" or "tmp/pids".',
        },
      );
    }
  }
}

/**
 * Replaces each `dir` inside a release with a symlink to `shared/<dir>` (created if missing), so
 * logs, pids and uploads survive releases. Whatever the artifact shipped at that path is removed.
 */
export async function linkSharedDirs(
  releaseDir: string,
  sharedRoot: string,
  dirs: readonly string[],
): Promise<void> {
  for (const dir of dirs) {
    const shared = join(sharedRoot, dir);
    const inRelease = join(releaseDir, dir);
    await mkdir(shared, { recursive: true });
    await mkdir(dirname(inRelease), { recursive: true });
    await rm(inRelease, { recursive: true, force: true });
    await symlink(relative(dirname(inRelease), shared), inRelease);
  }
}
