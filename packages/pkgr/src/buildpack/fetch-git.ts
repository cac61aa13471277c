import { access, mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { DeployKitError, type EventSink, sha256Hex } from "@deploykit/core";
import { execa } from "execa";
import { extract } from "tar";
import { displayUrl } from "./spec";

/** Where and how to fetch a git buildpack. */
export interface GitFetch {
  url: string;
  ref?: string;
  /** Folder of cached clones (one bare mirror per URL). */
  cacheDir: string;
  /** `git remote update` an existing clone first. */
  refresh: boolean;
  /** Empty folder the buildpack's files are exported into. */
  into: string;
  onEvent: EventSink | undefined;
  signal: AbortSignal | undefined;
}

/** Removes `user:password@` from every URL in a text (git echoes URLs in its errors). */
const withoutCredentials = (text: string) => text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, "$1");

/** git's own last lines, quoted in the message so the human output shows the cause. */
const gitSaid = (stderr: string | undefined) => {
  const lines = withoutCredentials(stderr ?? "")
    .trim()
    .split("\n")
    .filter(Boolean)
    .slice(-5);
  return lines.length ? `\ngit said: ${lines.join("\n")}` : "";
};

const fetchError = (fetch: GitFetch, why: string, stderr?: string) =>
  new DeployKitError(
    "E_BUILDPACK_FETCH",
    `Could not fetch buildpack ${displayUrl(fetch.url)}${fetch.ref ? ` at ${fetch.ref}` : ""}: ${why}.${gitSaid(stderr)}`,
    {
      hint: "Check the URL and that the branch, tag or commit after '#' exists (git ls-remote URL).",
      details: {
        url: displayUrl(fetch.url),
        ref: fetch.ref,
        ...(stderr ? { stderr: withoutCredentials(stderr) } : {}),
      },
    },
  );

async function git(fetch: GitFetch, args: string[]) {
  return execa("git", args, {
    reject: false,
    stdin: "ignore",
    cancelSignal: fetch.signal,
    env: { GIT_TERMINAL_PROMPT: "0" },
  });
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Fetches a git buildpack through a per-URL bare mirror in the cache: cloned once, refreshed
 * with `git remote update` (a failed refresh falls back to the cached copy with a warning),
 * `#ref` resolved to a commit (branch, tag or sha; default the remote HEAD), and that commit's
 * tree exported into `into`. Returns the resolved commit for the manifest.
 */
export async function fetchGitBuildpack(fetch: GitFetch): Promise<{ commit: string }> {
  const key = sha256Hex(fetch.url).slice(0, 16);
  const mirror = join(fetch.cacheDir, `${key}.git`);
  await mkdir(fetch.cacheDir, { recursive: true });
  if (!(await exists(mirror))) {
    const temp = `${mirror}.tmp-${process.pid}`;
    await rm(temp, { recursive: true, force: true });
    const cloned = await git(fetch, ["clone", "--quiet", "--mirror", fetch.url, temp]);
    if (cloned.exitCode !== 0) {
      await rm(temp, { recursive: true, force: true });
      throw fetchError(fetch, "git clone failed", String(cloned.stderr));
    }
    await rename(temp, mirror);
  } else if (fetch.refresh) {
    const updated = await git(fetch, ["--git-dir", mirror, "remote", "update", "--prune"]);
    if (updated.exitCode !== 0) {
      fetch.onEvent?.({
        type: "warning",
        step: "buildpack:fetch",
        message: `Could not refresh ${displayUrl(fetch.url)}; using the cached clone.`,
      });
    }
  }
  const resolved = await git(fetch, [
    "--git-dir",
    mirror,
    "rev-parse",
    "--verify",
    "--quiet",
    `${fetch.ref ?? "HEAD"}^{commit}`,
  ]);
  const commit = String(resolved.stdout).trim();
  if (resolved.exitCode !== 0 || !commit) throw fetchError(fetch, `no branch, tag or commit "${fetch.ref}"`);
  await mkdir(fetch.into, { recursive: true });
  const archive = execa("git", ["--git-dir", mirror, "archive", "--format=tar", commit], {
    buffer: false,
    stdin: "ignore",
    cancelSignal: fetch.signal,
  });
  try {
    await Promise.all([pipeline(archive.stdout, extract({ cwd: fetch.into })), archive]);
  } catch (cause) {
    throw fetchError(fetch, `could not export commit ${commit}: ${(cause as Error).message}`);
  }
  return { commit };
}
