import { readdirSync } from "node:fs";
import type { IgnoreRules } from "./ignore-rules";

/** A directory entry that cannot go in a package. */
export type SpecialFileKind = "socket" | "FIFO" | "block device" | "character device";

/** What `Dirent` and `Stats` both tell about a file's type. */
interface FileType {
  isSocket(): boolean;
  isFIFO(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}

/** The kind of a socket, FIFO or device file; `undefined` for files, directories and symlinks. */
export function specialKind(type: FileType): SpecialFileKind | undefined {
  if (type.isSocket()) return "socket";
  if (type.isFIFO()) return "FIFO";
  if (type.isBlockDevice()) return "block device";
  if (type.isCharacterDevice()) return "character device";
  return undefined;
}

/** Called for each special file left out, with its path relative to the tree. */
export type OnSkip = (path: string, kind: SpecialFileKind) => void;

/** The warning for a special file left out (GNU tar says `socket ignored`; git skips them silently). */
export const skippedMessage = (path: string, kind: SpecialFileKind) =>
  `${path} is a ${kind}: left out of the package (a ${kind} only means something to a running system; GNU tar and git skip them too).`;

/**
 * Yields every path under `root` (relative, `/`-separated, directories before their contents),
 * in a stable order: entries of each directory sorted by name in code-unit order. Only one
 * directory listing is held at a time per level, so memory does not grow with the tree size.
 * Sockets, FIFOs and device files are not yielded: `onSkip` hears of each. Directories are
 * listed synchronously, as the tar stream reads files: a listing takes microseconds from the page
 * cache, less than a libuv round trip, and a synchronous generator costs no promise per path.
 */
export function* walkTree(root: string, rules: IgnoreRules, onSkip?: OnSkip, prefix = ""): Generator<string> {
  const entries = readdirSync(prefix ? `${root}/${prefix}` : root, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    const isDir = entry.isDirectory();
    if (rules.ignores(path, isDir)) continue;
    const special = specialKind(entry);
    if (special) {
      onSkip?.(path, special);
      continue;
    }
    yield path;
    if (isDir) yield* walkTree(root, rules, onSkip, path);
  }
}
