import { mkdir, realpath, rm, symlink } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
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
 * A parent the release ships as a symlink inside itself (`tmp -> var/tmp`) is followed, and the
 * link is made relative from where it really sits, so it resolves; a parent that leads out of
 * the release is refused.
 *
 * @throws {@link DeployKitError} `E_UNSAFE_ARCHIVE` when a shared dir's parent leaves the release.
 */
export async function linkSharedDirs(
  releaseDir: string,
  sharedRoot: string,
  dirs: readonly string[],
): Promise<void> {
  const realRelease = await realpath(releaseDir);
  for (const dir of dirs) {
    await mkdir(join(sharedRoot, dir), { recursive: true });
    const shared = await realpath(join(sharedRoot, dir));
    await mkdir(dirname(join(releaseDir, dir)), { recursive: true });
    const parent = await realpath(dirname(join(releaseDir, dir)));
    if (parent !== realRelease && !parent.startsWith(`${realRelease}${sep}`)) {
      throw new DeployKitError(
        "E_UNSAFE_ARCHIVE",
        `The release's ${dirname(dir)} leads out of the release (to ${parent}), so shared/${dir} cannot be linked there.`,
        {
          hint: "Ship that path as a directory (or a symlink inside the release), rebuild and republish.",
          details: { dir, resolved: parent },
        },
      );
    }
    const inRelease = join(parent, basename(dir));
    await rm(inRelease, { recursive: true, force: true });
    await symlink(relative(parent, shared), inRelease);
  }
}
