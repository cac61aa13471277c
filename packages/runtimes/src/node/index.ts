import { dirname } from "node:path";
import {
  DeployKitError,
  launchScript,
  probeHealth,
  type RestartResult,
  type RuntimeStrategy,
  type StrategyContext,
  type StrategyStatus,
  throwIfAborted,
  waitUntil,
} from "@deploykit/core";
import { restartFailed } from "../internal/failure";
import { hostOf, nodeBinary } from "../internal/host-io";
import { logTail, markLog } from "../internal/log-watch";
import { type Observations, observations } from "../internal/observations";
import { checkedPid, type PidExpectation, removePidFile, writePidFile } from "../internal/pid";
import { terminate } from "../internal/terminate";
import { launcherSource } from "./launcher";
import { checkNodeOptions, type NodeOptions, type NodeSettings, nodeSettings } from "./options";
import { type LauncherState, readLauncherState } from "./state";

export type { NodeOptions } from "./options";

/** What must be behind the pid file before it is signalled: the launcher deploykit wrote. */
const LAUNCHER: PidExpectation = { what: "the deploykit node launcher", words: ["deploykit-node-launcher"] };

async function launch(ctx: StrategyContext, settings: NodeSettings, log: Observations): Promise<number> {
  const host = hostOf(ctx);
  await host.mkdirs([dirname(settings.logFile)]);
  await host.writeFile(settings.launcherFile, launcherSource());
  const env: Record<string, string> = {
    ...ctx.env,
    DK_NODE_CURRENT: settings.current,
    DK_NODE_SCRIPT: settings.script,
    DK_NODE_ARGS: JSON.stringify(settings.args),
    DK_NODE_WORKERS: String(settings.workers),
    DK_NODE_READY: settings.waitReady ? "message" : "listening",
    DK_NODE_READY_TIMEOUT: String(settings.timeoutMs),
    DK_NODE_KILL_TIMEOUT: String(settings.killTimeoutMs),
    DK_NODE_STATE: settings.stateFile,
    DK_NODE_REQUEST: settings.requestFile,
    DK_NODE_HEALTH: settings.healthcheck ?? "",
  };
  // Started like every Procfile process (core's launchScript: HOME, `.profile.d`, PORT, env);
  // the launcher execs in place, so its pid is the one the pid file holds.
  const script = launchScript({
    dir: settings.current,
    command: [nodeBinary(host), settings.launcherFile],
    env,
    ...(settings.port === undefined ? {} : { port: settings.port }),
  });
  const { pid } = await ctx.runner.spawnDetached("sh", ["-c", script], {
    cwd: settings.root,
    logFile: settings.logFile,
  });
  await writePidFile(host, settings.pidFile, pid);
  log.note(`launcher ${pid} started`);
  return pid;
}

/**
 * Waits for the launcher to finish generation `after + 1` (or later), or to die. The launcher
 * bounds the generation by the ready timeout itself (from the request file); one that says
 * nothing 5 s after it (a launcher started by an older deploykit reads no request file) gets
 * SIGUSR2, which cancels the generation: its old workers keep serving.
 */
async function generation(ctx: StrategyContext, settings: NodeSettings, pid: number, after: number) {
  const finished = async () => {
    const state = await readLauncherState(hostOf(ctx), settings.stateFile);
    if (state?.pid === pid && state.generation > after && state.status !== "starting") return state;
    return (await ctx.processes.isAlive(pid)) ? undefined : ("launcher exited" as const);
  };
  const state = await waitUntil(ctx.clock, finished, {
    timeoutMs: settings.timeoutMs + 5_000,
    intervalMs: 50,
    signal: ctx.signal,
  });
  if (state === undefined) await ctx.processes.kill(pid, "SIGUSR2");
  return state;
}

async function healthy(ctx: StrategyContext, settings: NodeSettings, log: Observations): Promise<boolean> {
  const url = settings.healthcheck;
  if (url === undefined) return true;
  const check = async () => {
    const health = await probeHealth(ctx.probe, url, { signal: ctx.signal });
    log.note(`health check ${url}: ${health.seen}`);
    return health.ok;
  };
  return (await waitUntil(ctx.clock, check, { timeoutMs: settings.timeoutMs, signal: ctx.signal })) === true;
}

/**
 * Zero-downtime restarts for a plain Node HTTP app, on node's own `cluster` module: a small
 * launcher (the cluster primary) holds the listening socket; a restart (SIGHUP to it) forks
 * workers from the release `current` points at, lets each join the socket only once it passed the
 * health check through a private loopback port, waits until they listen (or send "ready" with
 * `waitReady`), then disconnects the old workers, which finish their open requests (KILL after
 * `killTimeout`). A new worker that crashes or is not ready in time is killed and the old ones
 * keep serving; the restart then fails with `E_RESTART_FAILED`. The app needs no changes.
 *
 * @example
 * ```ts
 * node({ script: "server.js", port: 3000, workers: 2, healthcheck: "http://127.0.0.1:3000/health" })
 * ```
 */
export function node(options: NodeOptions = {}): RuntimeStrategy {
  checkNodeOptions(options);
  return {
    name: "node",
    ...(options.healthcheck === undefined ? {} : { healthcheckUrl: options.healthcheck }),
    async restart(ctx): Promise<RestartResult> {
      throwIfAborted(ctx.signal);
      const settings = nodeSettings(options, ctx);
      const log = observations(ctx, "node");
      let { pid } = await checkedPid(ctx, "node", settings.pidFile, LAUNCHER);
      const before = pid === undefined ? undefined : await readLauncherState(hostOf(ctx), settings.stateFile);
      // The launcher's log is shared by every generation: a failure quotes only what comes after this.
      const mark = await markLog(hostOf(ctx), settings.logFile);
      await hostOf(ctx).writeFile(
        settings.requestFile,
        JSON.stringify({ readyTimeoutMs: settings.timeoutMs }),
      );
      if (pid === undefined) {
        pid = await launch(ctx, settings, log);
      } else {
        await ctx.processes.kill(pid, "SIGHUP");
        log.note(`HUP sent to launcher ${pid} (generation ${before?.generation ?? "?"} serving)`);
      }
      const launcher = pid;
      const state: LauncherState | "launcher exited" | undefined = await generation(
        ctx,
        settings,
        launcher,
        before?.pid === launcher ? before.generation : 0,
      ).catch(async (error: unknown) => {
        // Aborted: cancel the generation still starting, so it never replaces the serving one.
        await ctx.processes.kill(launcher, "SIGUSR2");
        throw error;
      });
      if (state === undefined || state === "launcher exited" || state.status !== "ready") {
        const why =
          state === undefined
            ? `the launcher did not report them ready within ${settings.timeoutMs} ms`
            : state === "launcher exited"
              ? state
              : state.error;
        log.note(`${why}${before ? `; workers ${before.workers.join(", ")} keep serving` : ""}`);
        throw restartFailed("node", `the new workers for ${ctx.release.version} did not come up: ${why}`, {
          launcher: pid,
          seen: log.seen,
          log: await logTail(mark),
        });
      }
      log.note(
        `generation ${state.generation} (workers ${state.workers.join(", ")}) serving from ${state.dir}`,
      );
      if (!(await healthy(ctx, settings, log))) {
        throw restartFailed("node", `${settings.healthcheck} did not answer 2xx after the switch.`, {
          seen: log.seen,
        });
      }
      return {
        strategy: "node",
        pids: [pid, ...state.workers],
        details: { generation: state.generation, seen: log.seen },
      };
    },
    async status(ctx): Promise<StrategyStatus> {
      const settings = nodeSettings(options, ctx);
      const { pid } = await checkedPid(ctx, "node", settings.pidFile, LAUNCHER);
      if (pid === undefined) return { running: false };
      const state = await readLauncherState(hostOf(ctx), settings.stateFile);
      return {
        running: true,
        pids: [pid, ...(state?.workers ?? [])],
        details: { generation: state?.generation },
      };
    },
    async healthcheck(ctx) {
      const settings = nodeSettings(options, ctx);
      if ((await checkedPid(ctx, "node", settings.pidFile, LAUNCHER)).pid === undefined) {
        throw new DeployKitError("E_HEALTHCHECK", `No node launcher in ${settings.pidFile}.`);
      }
      if (settings.healthcheck === undefined) return;
      const health = await probeHealth(ctx.probe, settings.healthcheck, { signal: ctx.signal });
      if (!health.ok)
        throw new DeployKitError("E_HEALTHCHECK", `${settings.healthcheck} answered ${health.seen}`);
    },
    async stop(ctx) {
      const settings = nodeSettings(options, ctx);
      const { pid } = await checkedPid(ctx, "node", settings.pidFile, LAUNCHER);
      if (pid !== undefined) await terminate(ctx, pid, { timeoutMs: settings.killTimeoutMs + 5_000 });
      await removePidFile(hostOf(ctx), settings.pidFile);
    },
  };
}
