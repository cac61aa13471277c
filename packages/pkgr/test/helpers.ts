import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { execa } from "execa";
import { list } from "tar";
import { tempDirs as sharedTempDirs } from "../../../test-support/temp-dir";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

/** Temp dirs made by a test file (`pkgr-<label>-*`); `cleanup()` in afterAll removes them. */
export const tempDirs = () => sharedTempDirs("pkgr-");

/** Writes a tree of files (`path: content`; a content starting with `#!` becomes executable). */
export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content, { mode: content.startsWith("#!") ? 0o755 : 0o644 });
  }
}

const GIT_ID = [
  "-c",
  "user.name=pkgr tests",
  "-c",
  "user.email=tests@example.invalid",
  "-c",
  "commit.gpgsign=false",
];

/** Runs git in `cwd` (fixed identity, no signing). */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execa("git", [...GIT_ID, ...args], { cwd });
  return String(stdout).trim();
}

/** Makes `dir` a git repo on branch `main` with everything committed. Returns the commit. */
export async function gitInit(dir: string, message = "initial"): Promise<string> {
  await git(dir, "init", "-q", "-b", "main");
  return gitCommitAll(dir, message);
}

/** Commits everything in `dir`; returns the new commit. */
export async function gitCommitAll(dir: string, message: string): Promise<string> {
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "-m", message);
  return git(dir, "rev-parse", "HEAD");
}

/** Copies a fixture buildpack into `parent/<name>` and makes it a git repo; returns its path and file:// URL. */
export async function buildpackRepo(parent: string, name: string): Promise<{ dir: string; url: string }> {
  const dir = join(parent, `${name}-buildpack`);
  await cp(join(fixtures, "buildpacks", name), dir, { recursive: true });
  await gitInit(dir, `${name} buildpack`);
  return { dir, url: pathToFileURL(dir).href };
}

/** The local path of a fixture buildpack (used in place, as a directory buildpack). */
export const fixtureBuildpack = (name: string) => join(fixtures, "buildpacks", name);

/** Entries of a .tgz (path, type, mode, uid, gid, mtime) in archive order. */
export async function tgzEntries(file: string) {
  const entries: { path: string; type: string; mode: number; uid: number; gid: number; mtime: number }[] = [];
  await list({
    file,
    onReadEntry: (entry) => {
      entries.push({
        path: entry.path,
        type: entry.type,
        mode: entry.mode ?? 0,
        uid: entry.uid ?? 0,
        gid: entry.gid ?? 0,
        mtime: entry.mtime?.getTime() ?? 0,
      });
    },
  });
  return entries;
}

/** The text of one file inside a .tgz, read with GNU tar. */
export async function tgzFile(file: string, path: string): Promise<string> {
  const { stdout } = await execa("tar", ["-xzOf", file, path]);
  return String(stdout);
}

/** True when `needle` occurs in the artifact's bytes, compressed or decompressed. */
export async function artifactContains(file: string, needle: string): Promise<boolean> {
  const raw = await readFile(file);
  return raw.includes(needle) || gunzipSync(raw).includes(needle);
}
