import { readdir, readFile, readlink, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { processStartTime } from "./lock-owner";

/** How a process holds a path: its working directory, its executable, or an open file descriptor. */
export type PathUse = "cwd" | "exe" | "fd";

/** One fact from `/proc`: process `pid` holds `path` (resolved, absolute) as `use`. */
export interface PathHold {
  pid: number;
  use: PathUse;
  path: string;
}

const link = (path: string) => readlink(path).catch(() => undefined);

/** Drops the ` (deleted)` mark the kernel appends to the link of an unlinked file or directory. */
const undeleted = (path: string) => path.replace(/ \(deleted\)$/, "");

/**
 * Gathers, from this machine's `/proc`, which live processes hold something under `dir`: their
 * `/proc/<pid>/cwd`, `/proc/<pid>/exe` and each `/proc/<pid>/fd/*`. Processes whose links this
 * user may not read (other users' processes, without root) are not seen, as with `lsof`.
 * Returns `[]` on a system without `/proc`. The facts only: {@link releasesInUse} decides.
 */
export async function pathsHeldUnder(dir: string): Promise<PathHold[]> {
  const prefix = await realpath(dir).catch(() => dir);
  const under = (path: string) => path === prefix || path.startsWith(prefix + sep);
  const pids = (await readdir("/proc").catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  const holds: PathHold[] = [];
  for (const name of pids) {
    const pid = Number(name);
    const proc = join("/proc", name);
    const fds = await readdir(join(proc, "fd")).catch(() => [] as string[]);
    const links: [PathUse, string][] = [
      ["cwd", "cwd"],
      ["exe", "exe"],
      ...fds.map((fd): [PathUse, string] => ["fd", join("fd", fd)]),
    ];
    for (const [use, file] of links) {
      const target = await link(join(proc, file));
      if (target !== undefined && under(undeleted(target))) holds.push({ pid, use, path: undeleted(target) });
    }
  }
  return holds;
}

/** A release directory a live process still uses, and which processes (first hold of each pid). */
export interface ReleaseInUse {
  version: string;
  holders: { pid: number; use: PathUse; path: string }[];
}

/**
 * Pure decision: which of `releases` (version → directory, the same resolution as the facts'
 * paths) are held by one of `holds`. A directory counts as held when a hold is the directory
 * itself or anything inside it.
 */
export function releasesInUse(
  releases: ReadonlyMap<string, string>,
  holds: readonly PathHold[],
): Map<string, ReleaseInUse> {
  const inUse = new Map<string, ReleaseInUse>();
  for (const [version, dir] of releases) {
    const seen = new Set<number>();
    const holders = holds.filter(
      (hold) =>
        (hold.path === dir || hold.path.startsWith(dir + sep)) && !seen.has(hold.pid) && seen.add(hold.pid),
    );
    if (holders.length) inUse.set(version, { version, holders });
  }
  return inUse;
}

/** "pid 41 cwd /srv/web/releases/1.0.0, pid 42 open file …/page.txt" — who holds a release (the first 3). */
export function describeHolders({ holders }: ReleaseInUse): string {
  const shown = holders
    .slice(0, 3)
    .map(({ pid, use, path }) => `pid ${pid} ${use === "fd" ? `open file ${path}` : `${use} ${path}`}`);
  const more = holders.length > shown.length ? `, ${holders.length - shown.length} more` : "";
  return `${shown.join(", ")}${more}`;
}

/** "1.0.0 (pid 41 cwd …, pid 42 open file …/page.txt)" — what an event says about a held release. */
export function describeInUse(release: ReleaseInUse): string {
  return `${release.version} (${describeHolders(release)})`;
}

/**
 * Now, in clock ticks since boot (`/proc/uptime` × 100, Linux's USER_HZ): the unit of
 * `/proc/<pid>/stat` field 22, to tell processes started after this moment. `undefined` without `/proc`.
 */
export async function bootTicks(): Promise<number | undefined> {
  const uptime = Number.parseFloat(await readFile("/proc/uptime", "utf8").catch(() => ""));
  return Number.isFinite(uptime) ? Math.floor(uptime * 100) : undefined;
}

/**
 * Pids of the live processes that hold something under `dir` (cwd, executable or open file, from `/proc`) and
 * started at or after `sinceTicks` (from {@link bootTicks}): what a start command left running
 * in a release directory, e.g. a server that daemonised itself.
 */
export async function processesStartedUnder(dir: string, sinceTicks: number): Promise<number[]> {
  const pids = new Set((await pathsHeldUnder(dir)).map((hold) => hold.pid));
  const started: number[] = [];
  for (const pid of pids) {
    const start = Number(await processStartTime(pid));
    if (pid !== process.pid && start >= sinceTicks) started.push(pid);
  }
  return started.sort((a, b) => a - b);
}
