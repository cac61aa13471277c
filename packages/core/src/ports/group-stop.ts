import { setTimeout as delay } from "node:timers/promises";

/** Why {@link stopGroupOn} ended a process group, if it did. */
export type GroupStopReason = "aborted" | "timedOut";

/** A watch {@link stopGroupOn} keeps on one process group. */
export interface GroupStop {
  /** Why the group was ended; undefined while it was not. */
  readonly reason: GroupStopReason | undefined;
  /** Stops watching; when the group is being ended, resolves once none of it is left. */
  finish(): Promise<void>;
}

/** Ms between checks that a group's processes are gone. */
const POLL_MS = 50;

/**
 * Ends the process group led by `pgid` (a child spawned `detached`) when `signal` aborts or
 * `timeoutMs` (ms) passes: SIGTERM to every process of the group, SIGKILL to whatever is left
 * after `graceMs` (ms). That is how a terminal's Ctrl-C reaches a whole foreground job, so a
 * command's own children — a Procfile line that `sh -c` runs as its child — do not outlive it
 * (execa's own cancel and timeout signal the child's pid only).
 */
export function stopGroupOn(
  pgid: number,
  options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined; graceMs: number },
): GroupStop {
  let reason: GroupStopReason | undefined;
  let ending: Promise<void> | undefined;
  const stop = (why: GroupStopReason) => {
    if (reason !== undefined) return;
    reason = why;
    ending = endGroup(pgid, options.graceMs);
  };
  const onAbort = () => stop("aborted");
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => stop("timedOut"), options.timeoutMs);
  return {
    get reason() {
      return reason;
    },
    async finish() {
      options.signal?.removeEventListener("abort", onAbort);
      clearTimeout(timer);
      await ending;
    },
  };
}

async function endGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, "SIGTERM")) return;
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline) {
    await delay(POLL_MS);
    if (!signalGroup(pgid, 0)) return;
  }
  signalGroup(pgid, "SIGKILL");
}

/** Sends `signal` to every process of the group; false when none is left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
