import { posix } from "node:path";
import { list } from "tar";
import { DeployKitError } from "../errors";

const ALLOWED_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);

/** Normalises an archive path; `undefined` when it is absolute or climbs out of the root. */
function insideRoot(path: string): string | undefined {
  if (path.startsWith("/")) return undefined;
  const normal = posix.normalize(path);
  if (normal === ".." || normal.startsWith("../")) return undefined;
  return normal.replace(/\/$/, "");
}

const unsafe = (file: string, entry: string, why: string) =>
  new DeployKitError("E_UNSAFE_ARCHIVE", `${file} is refused: entry "${entry}" ${why}.`, {
    hint: "Rebuild the artifact with deploykit's buildPackage; never install archives from unknown sources.",
    details: { file, entry, why },
  });

/**
 * Reads every entry header of a `.tgz` and refuses the archive (`E_UNSAFE_ARCHIVE`) when any
 * entry could land outside the extraction root: absolute paths, `..`, symlinks whose target
 * leaves the root, entries under a symlink, hard links to paths outside, device files and FIFOs.
 * Nothing is written.
 */
export async function assertSafeArchive(file: string): Promise<void> {
  let problem: DeployKitError | undefined;
  const symlinks = new Set<string>();
  await list({
    file,
    strict: true,
    onReadEntry(entry) {
      if (problem) return;
      const path = insideRoot(entry.path);
      if (path === undefined) {
        problem = unsafe(file, entry.path, "is absolute or climbs out with '..'");
        return;
      }
      const parts = path.split("/");
      for (let i = 1; i < parts.length; i++) {
        if (symlinks.has(parts.slice(0, i).join("/"))) {
          problem = unsafe(file, entry.path, "would be written through a symlink");
          return;
        }
      }
      if (!ALLOWED_TYPES.has(entry.type)) {
        problem = unsafe(file, entry.path, `is a ${entry.type}, which a release never contains`);
        return;
      }
      const target = entry.linkpath ?? "";
      if (entry.type === "SymbolicLink") {
        if (insideRoot(posix.join(posix.dirname(path), target)) === undefined || target.startsWith("/")) {
          problem = unsafe(file, entry.path, `is a symlink to ${target}, outside the release`);
          return;
        }
        symlinks.add(path);
      }
      if (entry.type === "Link" && insideRoot(target) === undefined) {
        problem = unsafe(file, entry.path, `is a hard link to ${target}, outside the release`);
      }
    },
  });
  if (problem) throw problem;
}
