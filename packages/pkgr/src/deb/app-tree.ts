import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError } from "@deploykit/core";
import { type OnSkip, specialKind } from "../pack/walk";
import { type DebEntry, normalizedFileMode } from "./entries";

/**
 * Lists the app directory as package entries placed under `prefix` (the app home without the
 * leading `/`). Regular files, directories and symlinks are kept; modes are normalised
 * (0755 / 0644) and owners become root:root in the tar. Sockets, FIFOs and device files are left
 * out, and `onSkip` hears of each. `exclude` and `onSkip` get paths relative to `appDir`.
 *
 * @throws `DeployKitError` `E_INVALID_INPUT` for names with a newline.
 */
export async function readAppTree(
  appDir: string,
  prefix: string,
  exclude?: (relativePath: string, isDir: boolean) => boolean,
  onSkip?: OnSkip,
): Promise<DebEntry[]> {
  const entries: DebEntry[] = [];
  const walk = async (dir: string, rel: string, appRel: string): Promise<void> => {
    const names = await readdir(dir);
    const stats = await Promise.all(names.map((name) => lstat(join(dir, name))));
    const subdirs: Promise<void>[] = [];
    for (const [i, name] of names.entries()) {
      const source = join(dir, name);
      const path = `${rel}/${name}`;
      const relative = appRel ? `${appRel}/${name}` : name;
      const stat = stats[i];
      if (name.includes("\n") || stat === undefined) {
        throw new DeployKitError(
          "E_INVALID_INPUT",
          `Cannot package ${JSON.stringify(source)}: a file name holds a newline.`,
          {
            hint: "Rename the file; md5sums and conffiles are line-based.",
            details: { path: source },
          },
        );
      }
      if (exclude?.(relative, stat.isDirectory())) continue;
      if (stat.isDirectory()) {
        entries.push({ kind: "dir", path, mode: 0o755 });
        subdirs.push(walk(source, path, relative));
      } else if (stat.isFile()) {
        const inode = stat.nlink > 1 ? { inode: `${stat.dev}:${stat.ino}` } : {};
        entries.push({
          kind: "file",
          path,
          mode: normalizedFileMode(stat.mode),
          size: stat.size,
          source,
          ...inode,
        });
      } else if (stat.isSymbolicLink()) {
        entries.push({ kind: "symlink", path, target: await readlink(source) });
      } else {
        const kind = specialKind(stat);
        if (kind) onSkip?.(relative, kind);
      }
    }
    await Promise.all(subdirs);
  };
  await walk(appDir, prefix, "");
  return entries;
}
