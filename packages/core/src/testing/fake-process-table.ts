import type { ProcessFacts, ProcessTable } from "../ports/process-table";

/** A {@link ProcessTable} over an in-memory set of pids, for unit tests. */
export interface FakeProcessTable extends ProcessTable {
  /** Live pids. */
  readonly alive: Set<number>;
  /** Pid-file contents by path. */
  readonly pidFiles: Map<string, number>;
  /** What `inspect` answers per pid (none: nothing can be told, so a pid file is trusted). */
  readonly facts: Map<number, ProcessFacts>;
  /** Every signal sent, in order. */
  readonly signals: { pid: number; signal: NodeJS.Signals | number }[];
  /** Reacts to a signal (default: TERM, KILL, INT and QUIT end the process). */
  onSignal: (pid: number, signal: NodeJS.Signals | number) => void;
}

/** Creates a {@link FakeProcessTable} with the given live pids. */
export function createFakeProcessTable(pids: number[] = []): FakeProcessTable {
  const table: FakeProcessTable = {
    alive: new Set(pids),
    pidFiles: new Map(),
    facts: new Map(),
    signals: [],
    onSignal(pid, signal) {
      if (["SIGTERM", "SIGKILL", "SIGINT", "SIGQUIT"].includes(String(signal))) table.alive.delete(pid);
    },
    isAlive: async (pid) => table.alive.has(pid),
    async kill(pid, signal) {
      if (!table.alive.has(pid)) return false;
      table.signals.push({ pid, signal });
      if (signal !== 0) table.onSignal(pid, signal);
      return true;
    },
    async readPidFile(path) {
      return table.pidFiles.get(path);
    },
    async inspect(pid) {
      return table.facts.get(pid);
    },
  };
  return table;
}
