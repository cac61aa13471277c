import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { IgnoreRules } from "./ignore-rules";

/**
 * Yields every path under `root` (relative, `/`-separated, directories before their contents),
 * in a stable order: entries of each directory sorted by name in code-unit order. Only one
 * directory listing is held at a time per level, so memory does not grow with the tree size.
 */
export async function* walkTree(root: string, rules: IgnoreRules, prefix = ""): AsyncGenerator<string> {
  const entries = await readdir(prefix ? join(root, prefix) : root, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    const isDir = entry.isDirectory();
    if (rules.ignores(path, isDir)) continue;
    yield path;
    if (isDir) yield* walkTree(root, rules, path);
  }
}
