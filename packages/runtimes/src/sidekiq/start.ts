import { dirname } from "node:path";
import { launchScript, type StrategyContext, waitUntil } from "@deploykit/core";
import { restartFailed } from "../internal/failure";
import { hostOf, processCwd } from "../internal/host-io";
import { linesSince, logTail, markLog } from "../internal/log-watch";
import type { Observations } from "../internal/observations";
import { writePidFile } from "../internal/pid";
import { terminate } from "../internal/terminate";
import type { SidekiqSettings } from "./options";

/**
 * Starts one sidekiq in `dir` (as core's `launchScript` starts every process: HOME, `.profile.d`,
 * env) and resolves its pid once its log shows the boot line for that
 * pid. A process that exits or stays unready is stopped (TERM, KILL only after timeout + 5 s)
 * and reported as `E_RESTART_FAILED`; an abort stops it the same way and rethrows.
 */
export async function startSidekiq(
  ctx: StrategyContext,
  settings: SidekiqSettings,
  dir: string,
  log: Observations,
): Promise<number> {
  const host = hostOf(ctx);
  await host.mkdirs([dirname(settings.logFile)]);
  const mark = await markLog(host, settings.logFile);
  const [program, args] = settings.command;
  // The launch script execs the argv, so the pid is sidekiq's own (its boot line names it).
  const script = launchScript({ dir, command: [program, ...args], env: ctx.env });
  const { pid } = await ctx.runner.spawnDetached("sh", ["-c", script], {
    cwd: dir,
    logFile: settings.logFile,
  });
  log.note(`started ${program} ${args.join(" ")} in ${dir} (pid ${pid})`);
  const booted = async () => {
    if (!(await ctx.processes.isAlive(pid))) return "exited" as const;
    const lines = await linesSince(mark);
    return lines.some((line) => line.includes(`pid=${pid} `) && settings.readyPattern.test(line))
      ? ("ready" as const)
      : undefined;
  };
  const calm = { ...ctx, signal: undefined };
  let outcome: "exited" | "ready" | undefined;
  try {
    outcome = await waitUntil(ctx.clock, booted, { timeoutMs: settings.startTimeoutMs, signal: ctx.signal });
  } catch (error) {
    await terminate(calm, pid, { timeoutMs: settings.killAfterMs });
    throw error;
  }
  if (outcome === "ready") {
    log.note(`sidekiq ${pid} booted`);
    return pid;
  }
  log.note(
    outcome === "exited"
      ? `sidekiq ${pid} exited at boot`
      : `sidekiq ${pid} did not boot within ${settings.startTimeoutMs} ms`,
  );
  if (outcome === undefined) await terminate(calm, pid, { timeoutMs: settings.killAfterMs });
  throw restartFailed("sidekiq", `the new sidekiq (pid ${pid}) did not boot from ${dir}.`, {
    pid,
    seen: log.seen,
    log: await logTail(mark),
  });
}

/**
 * A quiet sidekiq cannot be resumed, so after a failed start the quiet one is replaced: a fresh
 * process from the release the old one runs (its cwd, else `ctx.previous`), then TERM for the
 * old one. Returns the pid now holding the pid file, or undefined when nothing could be started.
 */
export async function replaceQuiet(
  ctx: StrategyContext,
  settings: SidekiqSettings,
  quiet: number,
  log: Observations,
): Promise<number | undefined> {
  const calm = { ...ctx, signal: undefined };
  const dir = (await processCwd(hostOf(ctx), quiet)) ?? ctx.previous?.dir;
  if (dir === undefined) {
    log.note(`cannot tell which release ${quiet} runs; it stays quiet: restart sidekiq by hand`);
    return undefined;
  }
  const fresh = await startSidekiq(calm, settings, dir, log).catch(() => undefined);
  if (fresh === undefined) {
    log.note(`could not start a replacement for quiet sidekiq ${quiet}: restart sidekiq by hand`);
    return undefined;
  }
  await writePidFile(hostOf(ctx), settings.pidFile, fresh);
  const stopped = await terminate(calm, quiet, { timeoutMs: settings.killAfterMs });
  log.note(
    `quiet sidekiq ${quiet} replaced by ${fresh}; it ${stopped.killed ? "was KILLed" : "exited after TERM"}`,
  );
  return fresh;
}
