import { readFile } from "node:fs/promises";

/**
 * What a host can tell about a live process, to check that a pid read from a pid file still
 * belongs to the process that wrote it. A field is absent when it cannot be read (no procfs,
 * another user's process).
 */
export interface ProcessFacts {
  /** Its command line (`/proc/<pid>/cmdline`: argv, or the title the process set itself). */
  cmdline?: string[];
  /** Its working directory (`/proc/<pid>/cwd`, a real path). */
  cwd?: string;
  /** When it started, in ms since the epoch (`/proc/<pid>/stat` start time against `/proc/uptime`). */
  startedAtMs?: number;
}

/**
 * Signals and liveness of processes by pid, on the host the strategy acts on. The real local one
 * uses `process.kill`; over SSH (see `hostPorts`) each call is one `kill` run on the server.
 * Asynchronous for that reason: always `await` them.
 */
export interface ProcessTable {
  /** True when a process with this pid exists (signal 0 succeeds or is refused with EPERM). */
  isAlive(pid: number): Promise<boolean>;
  /** Sends a signal; resolves false when the process is already gone. */
  kill(pid: number, signal: NodeJS.Signals | number): Promise<boolean>;
  /** Reads a pid file; `undefined` when it is missing or does not hold a pid. */
  readPidFile(path: string): Promise<number | undefined>;
  /**
   * `ProcessFacts` about a pid, `undefined` when nothing can be told. Optional: when a
   * table has none, `@deploykit/runtimes` reads the local `/proc` (a remote host's table
   * answers it over its connection; the in-memory fake from its `facts` map).
   */
  inspect?(pid: number): Promise<ProcessFacts | undefined>;
}

/** The production {@link ProcessTable}. */
export function createProcessTable(): ProcessTable {
  return {
    async isAlive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
      }
    },
    async kill(pid, signal) {
      try {
        process.kill(pid, signal);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
        throw error;
      }
    },
    async readPidFile(path) {
      const text = await readFile(path, "utf8").catch(() => "");
      const pid = Number.parseInt(text.trim(), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    },
  };
}
