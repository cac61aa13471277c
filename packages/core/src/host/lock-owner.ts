import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";

/**
 * What a lock file holds: enough to tell, on the same machine, whether its holder still runs.
 * A pid alone is not enough: after a reboot (or simply over time) the pid may belong to another
 * process, so the record also carries the kernel's boot id and the process's start time.
 */
export interface LockOwner {
  pid: number;
  /** `os.hostname()` of the holder. */
  host: string;
  /** `/proc/sys/kernel/random/boot_id` when the lock was taken (absent without procfs). */
  bootId?: string;
  /** Field 22 of `/proc/<pid>/stat`: the process's start time in clock ticks since boot. */
  startTime?: string;
  /** ISO time the lock was taken. */
  since: string;
  /** What holds it (`install web 2.0.0`, `rollback`...). */
  operation?: string;
  /** Unique per acquisition: only the holder with this token releases it. */
  token: string;
}

/** A lock file's text as a {@link LockOwner}, or `undefined` when it is not a record. */
export function parseLockRecord(text: string | undefined): LockOwner | undefined {
  try {
    const value = JSON.parse(text ?? "") as LockOwner;
    return typeof value?.pid === "number" && typeof value.token === "string" && typeof value.host === "string"
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

const readProc = (path: string) =>
  readFile(path, "utf8").then(
    (text) => text,
    () => undefined,
  );

/** This machine's boot id, or `undefined` without procfs. */
export const bootId = async () => (await readProc("/proc/sys/kernel/random/boot_id"))?.trim();

/**
 * Field 22 (`starttime`) of `/proc/<pid>/stat`, or `undefined` when the process does not exist
 * (or there is no procfs). The command name (field 2) may hold spaces and parentheses, so the
 * fields are counted after its last `)`.
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
  const stat = await readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .at(22 - 3);
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** The record this process writes when it takes a lock. */
export async function ownLockRecord(since: string, operation: string): Promise<LockOwner> {
  const [boot, startTime] = await Promise.all([bootId(), processStartTime(process.pid)]);
  return {
    pid: process.pid,
    host: hostname(),
    ...(boot ? { bootId: boot } : {}),
    ...(startTime ? { startTime } : {}),
    since,
    operation,
    token: randomUUID(),
  };
}

/**
 * Why a lock's holder is known to be gone, or `undefined` when it may still run. A holder on
 * another host cannot be checked from here and counts as running. On this host it is gone when
 * the machine rebooted since (another boot id), its pid no longer exists, or its pid now belongs
 * to a process started at another time (pid reuse).
 */
export async function holderGone(owner: LockOwner): Promise<string | undefined> {
  if (owner.host !== hostname()) return undefined;
  const boot = await bootId();
  if (owner.bootId && boot && owner.bootId !== boot) return "the machine rebooted since";
  if (!pidAlive(owner.pid)) return `pid ${owner.pid} is gone`;
  const startTime = owner.startTime === undefined ? undefined : await processStartTime(owner.pid);
  if (startTime !== undefined && startTime !== owner.startTime)
    return `pid ${owner.pid} now belongs to another process`;
  return undefined;
}
