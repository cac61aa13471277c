import { readdir, readFile, readlink } from "node:fs/promises";
import type { ProcessFacts } from "@deploykit/core";

/**
 * Pids of the live children of `pid`, read from Linux's `/proc` (unicorn workers, cluster
 * workers). `undefined` where `/proc` is not available, so callers can skip the check.
 */
export async function childPids(pid: number): Promise<number[] | undefined> {
  const entries = await readdir("/proc").catch(() => undefined);
  if (!entries) return undefined;
  const children: number[] = [];
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
        // pid (comm) state ppid ...: comm may hold spaces and parens, so split after the last ")".
        const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(ppid) === pid && state !== "Z") children.push(Number(entry));
      }),
  );
  return children.sort((a, b) => a - b);
}

/** Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`: 100 on every mainstream Linux architecture). */
const USER_HZ = 100;

/**
 * {@link ProcessFacts} of a local process, from `/proc`: command line, working directory (only
 * readable for one's own processes, or as root) and start time (field 22 of `stat`, in ticks
 * since boot, against `/proc/uptime`: no wall-clock boot time, which NTP steps would shift).
 * Fields that cannot be read are left out.
 */
export async function localProcessFacts(pid: number): Promise<ProcessFacts> {
  const [cmdline, cwd, stat, uptime] = await Promise.all([
    readFile(`/proc/${pid}/cmdline`).then(
      (bytes) => bytes.toString("utf8").split("\0").filter(Boolean),
      () => undefined,
    ),
    readlink(`/proc/${pid}/cwd`).catch(() => undefined),
    readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined),
    readFile("/proc/uptime", "utf8").catch(() => undefined),
  ]);
  const facts: ProcessFacts = {};
  if (cmdline !== undefined) facts.cmdline = cmdline;
  if (cwd !== undefined) facts.cwd = cwd;
  // pid (comm) state ppid ...: fields counted after the last ")", starttime is field 22.
  const ticks = Number(stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[22 - 3]);
  const upSeconds = Number(uptime?.split(" ")[0]);
  if (Number.isFinite(ticks) && Number.isFinite(upSeconds) && stat !== undefined && uptime !== undefined) {
    facts.startedAtMs = Math.round(Date.now() - upSeconds * 1000 + (ticks * 1000) / USER_HZ);
  }
  return facts;
}
