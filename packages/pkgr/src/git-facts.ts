import { execa } from "execa";

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  const result = await execa("git", args, { cwd, reject: false, stdin: "ignore" });
  return result.exitCode === 0 ? String(result.stdout).trim() || undefined : undefined;
}

/**
 * pkgr's default version: `git describe --tags` in `appDir` with leading non-digits removed
 * (`v1.2.0` → `1.2.0`, `v1.2.0-3-gabc123` → `1.2.0-3-gabc123`), else `0.0.0`.
 */
export async function defaultVersion(appDir: string): Promise<string> {
  const described = await git(appDir, ["describe", "--tags"]);
  const version = described?.replace(/^\D+/, "");
  return version || "0.0.0";
}

/** The commit checked out in `appDir`, when it is a git work tree. */
export async function sourceCommit(appDir: string): Promise<string | undefined> {
  return git(appDir, ["rev-parse", "--verify", "HEAD"]);
}
