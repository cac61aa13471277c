import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ProcessTable } from "@deploykit/core";

/**
 * The pid to signal for a process deploykit started detached: its process group (`-pid`) when
 * that group is alive, so `sh -c` wrappers and their children stop together; else the pid itself.
 */
export function signalTarget(processes: ProcessTable, pid: number): number {
  return processes.isAlive(-pid) ? -pid : pid;
}

/** Reads a pid file and returns the pid only when that process is alive. */
export async function livePid(processes: ProcessTable, pidFile: string): Promise<number | undefined> {
  const pid = await processes.readPidFile(pidFile);
  return pid !== undefined && processes.isAlive(pid) ? pid : undefined;
}

/** Writes a pid file through a temp file + rename, creating its folder. */
export async function writePidFile(path: string, pid: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${pid}\n`);
  await rename(temp, path);
}

/** Removes a pid file; a missing one is fine. */
export async function removePidFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
