import { probeHealth, type RestartResult, type StrategyContext, waitUntil } from "@deploykit/core";
import { answeredBy } from "../internal/answered-by";
import { restartFailed } from "../internal/failure";
import { changeTime, childPids, hostOf } from "../internal/host-io";
import { logTail, markLog } from "../internal/log-watch";
import { type Observations, observations } from "../internal/observations";
import { removePidFile, writePidFile } from "../internal/pid";
import { terminate } from "../internal/terminate";
import type { UnicornSettings } from "./options";

type Outcome = { ready: number } | { failed: string };

/** A plain-HTTP loopback URL: its answering process can be told through this machine's `/proc`. */
const traceable = (url: string) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url);

/**
 * The health URL as answered by one of `workers` (see {@link answeredBy}): while both masters
 * serve from the shared socket, an old worker's 2xx says nothing about the new code, so only an
 * answer from a new worker counts. `ok` is a 2xx from one of them.
 */
async function workerHealth(url: string, workers: number[]) {
  const answer = await answeredBy(url, workers);
  const ours = answer.pid !== undefined && workers.includes(answer.pid);
  const ok = ours && answer.status !== undefined && answer.status >= 200 && answer.status < 300;
  return {
    ok,
    body: answer.body,
    seen: ours ? answer.seen : `${answer.seen} (not one of ${workers.join(", ")})`,
  };
}

/**
 * Readiness of a master: `workers` children alive, the health URL answering 2xx — from one of
 * those workers themselves, not from the other master's, where `/proc` tells who answered — and
 * the same workers still alive after the check (a worker that crashes on the new code gets
 * respawned with a new pid, which does not count).
 */
export async function masterReady(
  ctx: StrategyContext,
  settings: UnicornSettings,
  master: number,
  log: Observations,
  notAmong: number[] = [],
): Promise<boolean> {
  const host = hostOf(ctx);
  const workers = (await childPids(host, master))?.filter((pid) => !notAmong.includes(pid));
  if (workers !== undefined && workers.length < settings.workers) return false;
  log.note(`${workers?.length ?? "?"} worker(s) up under master ${master}`);
  if (settings.healthcheck === undefined) return true;
  const health =
    // Who answered is read from this machine's /proc: on a remote host the plain probe decides.
    workers !== undefined && host.kind === "local" && traceable(settings.healthcheck)
      ? await workerHealth(settings.healthcheck, workers)
      : await probeHealth(ctx.probe, settings.healthcheck, { signal: ctx.signal });
  log.note(`health check ${settings.healthcheck}: ${health.seen}`);
  if (!health.ok || (settings.expectVersion && !health.body.includes(ctx.release.version))) return false;
  const after = await childPids(host, master);
  return workers === undefined || after === undefined || workers.every((pid) => after.includes(pid));
}

/**
 * Zero-downtime upgrade: USR2 the old master, observe the new one (its pid file, `.oldbin`
 * holding the old pid, workers up, health), then QUIT the old one. When the new master dies or
 * stays unready until the timeout, QUIT it, make sure the old master holds the pid file again,
 * and throw `E_RESTART_FAILED` listing what was seen.
 */
export async function upgrade(
  ctx: StrategyContext,
  settings: UnicornSettings,
  oldPid: number,
): Promise<RestartResult> {
  const log = observations(ctx, "unicorn");
  const host = hostOf(ctx);
  const alive = (pid: number) => ctx.processes.isAlive(pid);
  // The pid file's change time: a rename (to `.oldbin` and back) moves it even when we poll too late to see it.
  const before = await changeTime(host, settings.pidFile);
  let newPid: number | undefined;
  let upgrading = false;

  const observe = async (): Promise<Outcome | undefined> => {
    const changedBefore = await changeTime(host, settings.pidFile);
    const pid = await ctx.processes.readPidFile(settings.pidFile);
    const oldbin = await ctx.processes.readPidFile(settings.oldbin);
    const changedAfter = await changeTime(host, settings.pidFile);
    if (oldbin === oldPid) upgrading = true;
    if (pid !== undefined && pid !== oldPid) {
      newPid = pid;
      upgrading = true;
      if (!(await alive(pid))) return { failed: `new master ${pid} exited` };
      if (oldbin !== oldPid) return undefined;
      log.note(`new master ${pid} wrote the pid file; .oldbin holds ${oldPid}`);
      return (await masterReady(ctx, settings, pid, log)) ? { ready: pid } : undefined;
    }
    if (!(await alive(oldPid))) return { failed: `old master ${oldPid} exited` };
    // The pid file holds the old pid again and no .oldbin exists: a re-exec that failed, if we saw
    // the upgrade start, or if the pid file was renamed since (its change time moved, and did not
    // move while we read: a rename in between would make this a torn read).
    const stable = changedBefore !== undefined && changedBefore === changedAfter;
    const reverted = pid === oldPid && oldbin === undefined;
    if (reverted && (upgrading || (stable && changedAfter !== before))) {
      return { failed: `the new master exited at boot; ${oldPid} took its pid file back` };
    }
    return undefined;
  };

  // Interrupted before unicorn showed any sign of the re-exec: give it a moment to show one, so
  // abandon() sees (and QUITs) the new master instead of leaving it booting behind our back.
  const settle = async () => {
    if (upgrading || newPid !== undefined) return;
    const started = async () =>
      (await ctx.processes.readPidFile(settings.oldbin)) === oldPid ||
      (await changeTime(host, settings.pidFile)) !== before;
    await waitUntil(ctx.clock, started, { timeoutMs: 3_000, intervalMs: 20 });
  };

  // The old master logs to the same file: a failure quotes only what comes after this.
  const mark = await markLog(host, settings.logFile);
  await ctx.processes.kill(oldPid, "SIGUSR2");
  log.note(`USR2 sent to master ${oldPid}`);
  let outcome: Outcome | undefined;
  try {
    outcome = await waitUntil(ctx.clock, observe, { timeoutMs: settings.readyTimeoutMs, signal: ctx.signal });
  } catch (error) {
    await settle();
    await abandon(ctx, settings, oldPid, newPid, log);
    throw error;
  }
  if (outcome === undefined || "failed" in outcome) {
    log.note(outcome?.failed ?? `the new master was not ready after ${settings.readyTimeoutMs} ms`);
    await abandon(ctx, settings, oldPid, newPid, log);
    throw restartFailed(
      "unicorn",
      `the upgrade to ${ctx.release.version} failed; master ${oldPid} keeps serving.`,
      {
        oldPid,
        newPid,
        seen: log.seen,
        log: await logTail(mark),
      },
    );
  }
  const quit = await terminate(ctx, oldPid, { signal: "SIGQUIT", timeoutMs: settings.timeoutMs });
  log.note(`old master ${oldPid} ${quit.killed ? "KILLed after the timeout" : "exited after QUIT"}`);
  await removeStaleOldbin(ctx, settings, oldPid);
  return { strategy: "unicorn", pids: [outcome.ready], details: { mode: "upgrade", oldPid, seen: log.seen } };
}

async function removeStaleOldbin(ctx: StrategyContext, settings: UnicornSettings, oldPid: number) {
  if ((await ctx.processes.readPidFile(settings.oldbin)) === oldPid)
    await removePidFile(hostOf(ctx), settings.oldbin);
}

/**
 * QUITs a new master that failed (also one that writes its pid file only now) and waits for
 * the old master to hold the pid file again; writes it back itself if unicorn did not. The new
 * master gets as long to exit as it had to come up (`readyTimeoutMs`), then KILL: one stuck
 * loading the app (`preload_app`) handles no signal until it is done.
 */
async function abandon(
  ctx: StrategyContext,
  settings: UnicornSettings,
  oldPid: number,
  newPid: number | undefined,
  log: Observations,
) {
  const calm = { ...ctx, signal: undefined };
  const quit = async (pid: number) => {
    const result = await terminate(calm, pid, { signal: "SIGQUIT", timeoutMs: settings.readyTimeoutMs });
    log.note(`new master ${pid} ${result.killed ? "KILLed" : "stopped with QUIT"}`);
  };
  if (newPid !== undefined && newPid !== oldPid && (await ctx.processes.isAlive(newPid))) await quit(newPid);
  const restored = async () => {
    const pid = await ctx.processes.readPidFile(settings.pidFile);
    if (pid !== undefined && pid !== oldPid && (await ctx.processes.isAlive(pid))) await quit(pid);
    const oldbin = await ctx.processes.readPidFile(settings.oldbin);
    return (
      pid === oldPid || (oldbin !== oldPid && pid === undefined) || !(await ctx.processes.isAlive(oldPid))
    );
  };
  await waitUntil(ctx.clock, restored, { timeoutMs: settings.timeoutMs });
  if (
    (await ctx.processes.readPidFile(settings.pidFile)) !== oldPid &&
    (await ctx.processes.isAlive(oldPid))
  ) {
    await writePidFile(hostOf(ctx), settings.pidFile, oldPid);
    await removeStaleOldbin(ctx, settings, oldPid);
  }
  log.note(
    (await ctx.processes.isAlive(oldPid))
      ? `old master ${oldPid} still serving`
      : `old master ${oldPid} is gone too`,
  );
}
