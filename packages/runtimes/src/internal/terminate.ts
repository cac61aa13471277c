import { type StrategyContext, waitUntil } from "@deploykit/core";

/** How {@link terminate} stops a process. */
export interface TerminateOptions {
  /** The graceful signal (default `SIGTERM`). */
  signal?: NodeJS.Signals;
  /** How long the process may take to exit before it is KILLed. */
  timeoutMs: number;
  /** Never KILL: resolve `{ exited: false }` instead (for runtimes that lose work when killed). */
  noKill?: boolean;
}

/** What {@link terminate} saw. */
export interface TerminateResult {
  /** The process is gone. */
  exited: boolean;
  /** It had to be KILLed. */
  killed: boolean;
  /** Milliseconds between the graceful signal and the observed exit. */
  elapsedMs: number;
}

/**
 * Sends the graceful signal to `pid` (a negative pid addresses a process group), waits on the
 * clock for the exit observed through the process table, and KILLs only after the timeout.
 */
export async function terminate(
  ctx: Pick<StrategyContext, "processes" | "clock" | "signal">,
  pid: number,
  options: TerminateOptions,
): Promise<TerminateResult> {
  const started = ctx.clock.now();
  const elapsedMs = () => ctx.clock.now() - started;
  if (!(await ctx.processes.kill(pid, options.signal ?? "SIGTERM")))
    return { exited: true, killed: false, elapsedMs: 0 };
  const gone = async () => !(await ctx.processes.isAlive(pid));
  const poll = { timeoutMs: options.timeoutMs, intervalMs: 50, signal: ctx.signal };
  if (await waitUntil(ctx.clock, gone, poll)) return { exited: true, killed: false, elapsedMs: elapsedMs() };
  if (options.noKill) return { exited: false, killed: false, elapsedMs: elapsedMs() };
  await ctx.processes.kill(pid, "SIGKILL");
  const exited = (await waitUntil(ctx.clock, gone, { ...poll, timeoutMs: 5_000 })) === true;
  return { exited, killed: true, elapsedMs: elapsedMs() };
}
