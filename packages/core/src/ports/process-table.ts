import { readFile } from "node:fs/promises";

/** Signals and liveness of processes by pid. The real one uses `process.kill`. */
export interface ProcessTable {
  /** True when a process with this pid exists (signal 0 succeeds or is refused with EPERM). */
  isAlive(pid: number): boolean;
  /** Sends a signal; returns false when the process is already gone. */
  kill(pid: number, signal: NodeJS.Signals | number): boolean;
  /** Reads a pid file; `undefined` when it is missing or does not hold a pid. */
  readPidFile(path: string): Promise<number | undefined>;
}

/** The production {@link ProcessTable}. */
export function createProcessTable(): ProcessTable {
  return {
    isAlive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
      }
    },
    kill(pid, signal) {
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
