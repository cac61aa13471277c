import { dirname, join } from "node:path";
import {
  bootTicks,
  DeployKitError,
  hostLayout,
  launchScript,
  probeHealth,
  type RestartResult,
  type RuntimeStrategy,
  type StrategyContext,
  type StrategyStatus,
  throwIfAborted,
  waitUntil,
} from "@deploykit/core";
import { exitOf } from "./internal/exit";
import { restartFailed } from "./internal/failure";
import { hostOf } from "./internal/host-io";
import { logTail, markLog } from "./internal/log-watch";
import {
  checkedPid,
  commandWords,
  livePid,
  type PidExpectation,
  removePidFile,
  signalTarget,
  writePidFile,
} from "./internal/pid";
import { assertPortOption } from "./internal/port-option";
import { terminate } from "./internal/terminate";
import { readyTimeout } from "./internal/timing";
import { assertPortFree, daemonized, listenPort, stopLeftovers } from "./internal/tracking";

/** Options of {@link process}. */
export interface ProcessOptions {
  /** The process type (a key of the manifest's `processes`, from the Procfile). Default `web`. */
  name?: string;
  /** The shell command to run; default: the manifest's `processes[name]`. Run with `sh -c`. */
  command?: string;
  /** Pid file; default `<root>/shared/tmp/pids/<name>.pid`. */
  pidFile?: string;
  /** Log file (stdout and stderr, appended); default `<root>/shared/log/<name>.log`. */
  logFile?: string;
  /** How long the old process may take to exit after TERM before it is KILLed. Default 10 000 ms. */
  stopTimeoutMs?: number;
  /** Passed as `PORT`. When set, readiness = an HTTP answer on `http://127.0.0.1:<port>/`. */
  port?: number;
  /** Readiness URL (any 2xx); overrides the port check, and is the strategy's own health check. */
  healthcheck?: string;
  /**
   * How long the new process may take to become ready, in ms. Default 30 000, or deploy()'s
   * health gate timeout when one was given (see `StrategyContext.readyTimeoutMs`); given both,
   * the shorter applies.
   */
  startTimeoutMs?: number;
}

/** Resolved settings of one {@link process} strategy for one context. */
interface Resolved {
  name: string;
  command: string;
  pidFile: string;
  logFile: string;
  readyUrl: string | undefined;
  /** What must be behind the pid file before it is signalled: a process running the command. */
  expected: PidExpectation;
}

function resolve(options: ProcessOptions, ctx: StrategyContext): Resolved {
  const name = options.name ?? "web";
  const command = options.command ?? ctx.release.manifest.processes[name];
  if (!command) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `The release has no "${name}" process and no command was given.`,
      {
        hint: `Add "${name}: <command>" to the Procfile, or pass { command } to process().`,
        details: { name, processes: Object.keys(ctx.release.manifest.processes) },
      },
    );
  }
  const layout = hostLayout(ctx.root);
  const port = options.port;
  return {
    name,
    command,
    pidFile: options.pidFile ?? join(layout.pids, `${name}.pid`),
    logFile: options.logFile ?? join(layout.logs, `${name}.log`),
    readyUrl: options.healthcheck ?? (port === undefined ? undefined : `http://127.0.0.1:${port}/`),
    expected: { what: `${name} (${command})`, words: commandWords(command) },
  };
}

/**
 * A pid-file managed app process: started detached in the live release's folder the way core's
 * `launchScript` starts every Procfile process (HOME, `.profile.d`, PORT, env, then `sh -c`),
 * logs appended to `shared/log/<name>.log`, the pid (of the process group leader) in
 * `shared/tmp/pids/<name>.pid`. Restart = stop (TERM, KILL after `stopTimeoutMs`) + start,
 * which has downtime; use `node()`, `unicorn()` or `pm2()` for zero-downtime restarts.
 *
 * @example
 * ```ts
 * await deploy({ store, app: "web", root, strategy: process({ port: 3000 }), healthcheck: "http://127.0.0.1:3000/health" })
 * ```
 */
export function process(options: ProcessOptions = {}): RuntimeStrategy {
  assertPortOption("process", options.port);
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;

  /** Stops the process in the pid file (when it is the expected one) and removes the file. */
  async function stopPidFile(ctx: StrategyContext, settings: Resolved) {
    const { pid } = await checkedPid(ctx, "process", settings.pidFile, settings.expected);
    const result =
      pid === undefined
        ? undefined
        : await terminate(ctx, await signalTarget(ctx.processes, pid), { timeoutMs: stopTimeoutMs });
    await removePidFile(hostOf(ctx), settings.pidFile);
    return { pid, ...result };
  }

  /** Waits for the new process to answer (any HTTP answer, or a 2xx from `healthcheck`); "exited" when it dies first. */
  async function ready(ctx: StrategyContext, pid: number, url: string | undefined) {
    const answered = async () => {
      if (!(await ctx.processes.isAlive(pid))) return "exited" as const;
      if (url === undefined) return "ready" as const;
      const health = await probeHealth(ctx.probe, url, { signal: ctx.signal });
      lastSeen = health.seen;
      const ok = options.healthcheck === undefined ? health.status !== undefined : health.ok;
      return ok ? ("ready" as const) : undefined;
    };
    let lastSeen: string | undefined;
    const timeoutMs = readyTimeout(ctx, options.startTimeoutMs, 30_000);
    const outcome = await waitUntil(ctx.clock, answered, { timeoutMs, intervalMs: 100, signal: ctx.signal });
    return { outcome, lastSeen, timeoutMs };
  }

  return {
    name: "process",
    ...(options.healthcheck === undefined ? {} : { healthcheckUrl: options.healthcheck }),

    /** deploy() asks before `current` moves: a port another process serves is E_PORT_IN_USE. */
    async preflight(ctx) {
      const settings = resolve(options, ctx);
      const port = listenPort(options.port, settings.readyUrl);
      await assertPortFree(hostOf(ctx), "process", port, await livePid(ctx.processes, settings.pidFile));
    },

    async restart(ctx): Promise<RestartResult> {
      throwIfAborted(ctx.signal);
      const settings = resolve(options, ctx);
      const host = hostOf(ctx);
      const port = listenPort(options.port, settings.readyUrl);
      // A port another process serves: refused before the old process is stopped.
      await assertPortFree(host, "process", port, await livePid(ctx.processes, settings.pidFile));
      // Stopping the old process is short and bounded: finish it even when aborted, then stop.
      const stopped = await stopPidFile({ ...ctx, signal: undefined }, settings);
      throwIfAborted(ctx.signal);
      await host.mkdirs([dirname(settings.logFile)]);
      const script = launchScript({
        dir: ctx.release.dir,
        command: settings.command,
        env: ctx.env,
        ...(options.port === undefined ? {} : { port: options.port }),
      });
      // Leftovers of a daemonising command are found through this machine's /proc only.
      const since = host.kind === "local" ? await bootTicks() : undefined;
      // The log is shared by every release's runs: a failure quotes only what comes after this.
      const mark = await markLog(host, settings.logFile);
      const spawned = await ctx.runner.spawnDetached("sh", ["-c", script], {
        cwd: ctx.release.dir,
        logFile: settings.logFile,
      });
      const { pid } = spawned;
      await writePidFile(host, settings.pidFile, pid);
      let seen: Awaited<ReturnType<typeof ready>> | undefined;
      try {
        seen = await ready(ctx, pid, settings.readyUrl);
      } finally {
        if (seen?.outcome !== "ready") await stopPidFile({ ...ctx, signal: undefined }, settings);
      }
      // Exit code 0 before (or right at) readiness: the command daemonised itself.
      const gone =
        seen.outcome === "exited" || (seen.outcome === "ready" && !(await ctx.processes.isAlive(pid)));
      const exit = gone ? await exitOf(spawned.exited) : undefined;
      if (exit === "code 0") {
        await removePidFile(host, settings.pidFile);
        const stoppedPids = await stopLeftovers(ctx, pid, ctx.release.dir, since);
        throw daemonized("process", `${settings.name} (${settings.command})`, {
          pid,
          stoppedPids,
          log: await logTail(mark),
        });
      }
      if (seen.outcome !== "ready") {
        // An early exit is reported as such, with its exit code, not as a timeout.
        const what =
          seen.outcome === "exited"
            ? `exited${exit ? ` with ${exit}` : ""} before it was ready`
            : `did not become ready in ${seen.timeoutMs} ms${seen.lastSeen ? ` (last: ${seen.lastSeen})` : ""}`;
        throw restartFailed("process", `${settings.name} (${settings.command}) ${what}.`, {
          pid,
          alive: false,
          ...(exit ? { exit } : {}),
          readyUrl: settings.readyUrl,
          log: await logTail(mark),
        });
      }
      return {
        strategy: "process",
        pids: [pid],
        details: { previousPid: stopped.pid, killed: stopped.killed ?? false },
      };
    },

    async status(ctx): Promise<StrategyStatus> {
      const settings = resolve(options, ctx);
      const { pid } = await checkedPid(ctx, "process", settings.pidFile, settings.expected);
      return pid === undefined ? { running: false } : { running: true, pids: [pid] };
    },

    async healthcheck(ctx) {
      const { pidFile, readyUrl, expected } = resolve(options, ctx);
      const { pid } = await checkedPid(ctx, "process", pidFile, expected);
      if (pid === undefined) throw restartFailed("process", `no live process in ${pidFile}.`, { pidFile });
      if (readyUrl === undefined) return;
      const health = await probeHealth(ctx.probe, readyUrl, { timeoutMs: 5_000, signal: ctx.signal });
      const ok = options.healthcheck === undefined ? health.status !== undefined : health.ok;
      if (!ok) {
        throw new DeployKitError("E_HEALTHCHECK", `${readyUrl} answered ${health.seen}.`, {
          details: { url: readyUrl, status: health.status, body: health.body.slice(0, 500) },
        });
      }
    },

    async stop(ctx) {
      await stopPidFile(ctx, resolve(options, ctx));
    },
  };
}
