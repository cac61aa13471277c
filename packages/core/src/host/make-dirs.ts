import { mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { DeployKitError } from "../errors";

const notADirectory = (path: string, why: string, what: string) =>
  new DeployKitError("E_NOT_A_DIRECTORY", `${path} ${why}, so ${what} cannot be created there.`, {
    hint: `Check the path of ${what} (a symlink to an unmounted volume? a file in the way?).`,
    details: { path },
  });

/**
 * `mkdir -p` done one component at a time, for a host root's first directory. Node's own
 * recursive mkdir spins forever (100 % CPU, in the thread pool) where a file system answers
 * ENOENT to creating a directory whose parent exists (`/proc/nope`), and says `ENOTDIR`
 * through a dangling symlink. @throws `E_NOT_A_DIRECTORY` (a file or a dangling symlink in the
 * way), `E_PERMISSION` (a file system that takes no directories, e.g. /proc); else the raw error
 * (EACCES, EROFS... are mapped by the caller).
 *
 * @param what - how the directory is named in errors (default "the host root"; the CLI's build
 *   says "the out dir").
 */
export async function makeDirectories(path: string, what = "the host root"): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      if (error.code === "ENOTDIR") throw notADirectory(dir, "lies under a file", what);
      throw error;
    });
    if (info?.isDirectory()) break;
    if (info) throw notADirectory(dir, "is a file", what);
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") {
        if ((await stat(dir).catch(() => undefined))?.isDirectory()) continue;
        throw notADirectory(dir, "is a dangling symlink or a file", what);
      }
      if (code === "ENOENT")
        throw new DeployKitError(
          "E_PERMISSION",
          `${dir} cannot be created: its file system takes no new directories (ENOENT).`,
          {
            cause: error,
            hint: `Pick a place for ${what} on a writable disk (not under /proc or /sys).`,
            details: { path: dir },
          },
        );
      throw error;
    }
  }
}
