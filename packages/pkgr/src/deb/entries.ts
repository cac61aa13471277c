/** One object in a package's data tree. `path` is relative to `/`, without `./` or a trailing slash. */
export type DebEntry =
  | { kind: "dir"; path: string; mode: number }
  /** `inode` (`<dev>:<ino>`) is set for a file with several hard links: the tar stores it once. */
  | { kind: "file"; path: string; mode: number; size: number; source: string; inode?: string }
  | { kind: "file"; path: string; mode: number; size: number; data: Buffer }
  | { kind: "symlink"; path: string; target: string };

/** A regular file whose bytes are generated (wrapper, unit files, docs). */
export function inlineFile(path: string, content: string | Buffer, mode = 0o644): DebEntry {
  const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return { kind: "file", path, mode, size: data.length, data };
}

/** A file's mode as packaged: 0755 when any execute bit is set, else 0644. Dirs are always 0755. */
export function normalizedFileMode(mode: number): number {
  return mode & 0o111 ? 0o755 : 0o644;
}

/** The name an entry gets inside the tar: `./path`, directories with a trailing `/`. */
export function tarName(entry: DebEntry): string {
  return entry.kind === "dir" ? `./${entry.path}/` : `./${entry.path}`;
}

/**
 * Adds every missing parent directory (0755) and sorts by path bytes, which puts each parent
 * before its children and makes the order independent of the file system.
 *
 * @throws RangeError when two entries claim the same path.
 */
export function completeTree(entries: readonly DebEntry[]): DebEntry[] {
  const byPath = new Map<string, DebEntry>();
  for (const entry of entries) {
    const existing = byPath.get(entry.path);
    if (existing && !(existing.kind === "dir" && entry.kind === "dir")) {
      throw new RangeError(`two package entries claim /${entry.path}`);
    }
    byPath.set(entry.path, entry);
  }
  for (const entry of entries) {
    const parts = entry.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      const existing = byPath.get(parent);
      if (existing && existing.kind !== "dir")
        throw new RangeError(`/${parent} is both a file and a directory`);
      if (!existing) byPath.set(parent, { kind: "dir", path: parent, mode: 0o755 });
    }
  }
  const keys = [...byPath.keys()].map((path) => [Buffer.from(path, "utf8"), path] as const);
  keys.sort((a, b) => Buffer.compare(a[0], b[0]));
  return keys.map(([, path]) => byPath.get(path) as DebEntry);
}
