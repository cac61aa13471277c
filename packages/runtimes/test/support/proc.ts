import { readdir, readFile } from "node:fs/promises";

/** Live child pids of `pid`, from /proc (the tests run on Linux). */
export async function childPidsOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(ppid) === pid && state !== "Z") children.push(Number(entry));
  }
  return children.sort((a, b) => a - b);
}
