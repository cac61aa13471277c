import { readdir, readFile } from "node:fs/promises";

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
