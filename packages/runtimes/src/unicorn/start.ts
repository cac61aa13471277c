import { dirname } from "node:path";
import { launchScript, type RestartResult, type StrategyContext, waitUntil } from "@deploykit/core";
import { restartFailed } from "../internal/failure";
import { childPids, hostOf } from "../internal/host-io";
import { logTail, markLog } from "../internal/log-watch";
import { observations } from "../internal/observations";
import { livePid } from "../internal/pid";
import { terminate } from "../internal/terminate";
import type { UnicornSettings } from "./options";
import { masterReady } from "./upgrade";

/**
 * Starts unicorn when no master runs: the start command runs detached in `<root>/current` the
 * way core's `launchScript` starts every process (HOME, `.profile.d`, env; `PWD` set to the symlink, so unicorn re-execs there later); ready when a live master holds
 * the pid file with its workers up and the health URL answering.
 */
export async function startUnicorn(ctx: StrategyContext, settings: UnicornSettings): Promise<RestartResult> {
  const log = observations(ctx, "unicorn");
  const host = hostOf(ctx);
  await host.mkdirs([dirname(settings.logFile)]);
  // cd into the `current` symlink sets PWD to it, so unicorn re-execs there later.
  const script = launchScript({ dir: settings.cwd, command: settings.startCommand, env: ctx.env });
  // unicorn's log is shared by every release's masters: a failure quotes only what comes after this.
  const mark = await markLog(host, settings.logFile);
  const launcher = await ctx.runner.spawnDetached("sh", ["-c", script], {
    cwd: settings.cwd,
    env: { PWD: settings.cwd },
    logFile: settings.logFile,
  });
  log.note(`started \`${settings.startCommand}\` (pid ${launcher.pid})`);
  const observe = async () => {
    const master = await livePid(ctx.processes, settings.pidFile);
    if (master === undefined)
      return (await ctx.processes.isAlive(launcher.pid)) ? undefined : ("exited" as const);
    return (await masterReady(ctx, settings, master, log)) ? master : undefined;
  };
  const outcome = await waitUntil(ctx.clock, observe, {
    timeoutMs: settings.readyTimeoutMs,
    signal: ctx.signal,
  });
  if (typeof outcome === "number") {
    return { strategy: "unicorn", pids: [outcome], details: { mode: "start", seen: log.seen } };
  }
  log.note(
    outcome === "exited"
      ? "the start command exited and no master holds the pid file"
      : `not ready within ${settings.readyTimeoutMs} ms`,
  );
  const master = await livePid(ctx.processes, settings.pidFile);
  if (master !== undefined)
    await terminate({ ...ctx, signal: undefined }, master, { signal: "SIGQUIT", timeoutMs: 10_000 });
  throw restartFailed("unicorn", `unicorn did not start serving ${ctx.release.version}.`, {
    seen: log.seen,
    log: await logTail(mark),
  });
}

/**
 * HUP reload (for `preload_app false`): unicorn re-reads its config and replaces its workers;
 * ready when none of the old workers is left, enough new ones run, and the health URL answers.
 */
export async function reloadUnicorn(
  ctx: StrategyContext,
  settings: UnicornSettings,
  master: number,
): Promise<RestartResult> {
  const log = observations(ctx, "unicorn");
  const host = hostOf(ctx);
  const oldWorkers = (await childPids(host, master)) ?? [];
  const mark = await markLog(host, settings.logFile);
  await ctx.processes.kill(master, "SIGHUP");
  log.note(`HUP sent to master ${master}`);
  const observe = async () => {
    if (!(await ctx.processes.isAlive(master))) return "exited" as const;
    const current = (await childPids(host, master)) ?? [];
    if (current.some((pid) => oldWorkers.includes(pid))) return undefined;
    return await masterReady(ctx, settings, master, log, oldWorkers);
  };
  const outcome = await waitUntil(ctx.clock, observe, {
    timeoutMs: settings.readyTimeoutMs,
    signal: ctx.signal,
  });
  if (outcome === true)
    return { strategy: "unicorn", pids: [master], details: { mode: "reload", seen: log.seen } };
  log.note(
    outcome === "exited"
      ? `master ${master} exited`
      : `the new workers were not ready within ${settings.readyTimeoutMs} ms`,
  );
  throw restartFailed(
    "unicorn",
    `the HUP reload of master ${master} did not bring ${ctx.release.version} up.`,
    {
      master,
      seen: log.seen,
      log: await logTail(mark),
    },
  );
}
