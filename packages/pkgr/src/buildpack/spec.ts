import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

/** Where a buildpack comes from. */
export type BuildpackSpec =
  | { kind: "git"; url: string; ref?: string }
  | { kind: "tarball"; url: string }
  | { kind: "dir"; path: string };

/**
 * Parses a buildpack reference: `URL[#ref]` for git (any `scheme://`, `git@host:...`, or a path
 * ending in `.git`), a `.tgz`/`.tar.gz` URL or path, or else a local directory.
 */
export function parseBuildpackSpec(text: string, cwd = process.cwd()): BuildpackSpec {
  const hash = text.lastIndexOf("#");
  const url = hash === -1 ? text : text.slice(0, hash);
  const ref = hash === -1 ? undefined : text.slice(hash + 1) || undefined;
  if (/\.(tgz|tar\.gz)$/i.test(url)) {
    return { kind: "tarball", url: /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : resolve(cwd, url) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^/]+:/.test(url) || url.endsWith(".git")) {
    return ref === undefined ? { kind: "git", url } : { kind: "git", url, ref };
  }
  return { kind: "dir", path: resolve(cwd, text) };
}

/** A URL without its `user:password@` part, for logs, errors and the manifest. */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

/** How a buildpack is named in events, errors and the manifest. */
export function describeSpec(spec: BuildpackSpec): string {
  if (spec.kind === "dir") return spec.path;
  if (spec.kind === "git" && spec.ref) return `${displayUrl(spec.url)}#${spec.ref}`;
  return displayUrl(spec.url);
}

/**
 * Reads a `.buildpacks` file (one `URL[#ref]` a line; blank lines and `#` comments skipped).
 * Returns `undefined` when the file does not exist.
 */
export async function readBuildpacksFile(file: string): Promise<string[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The app's `.buildpacks` file path. */
export const buildpacksFileOf = (appDir: string) => join(appDir, ".buildpacks");
