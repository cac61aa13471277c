import { dirname, join } from "node:path";
import {
  DeployKitError,
  probeHealth,
  type RestartResult,
  type RuntimeStrategy,
  type StrategyContext,
  type StrategyStatus,
  throwIfAborted,
  waitUntil,
} from "@deploykit/core";
import { restartFailed } from "../internal/failure";
import { freePortOn } from "../internal/free-port";
import { hostOf } from "../internal/host-io";
import { type Observations, observations } from "../internal/observations";
import { readinessSource } from "../node/readiness";
import { type Pm2Cli, pm2Cli } from "./cli";
import { checkPm2Options, type Pm2Options, type Pm2Settings, pm2Settings } from "./options";

export type { Pm2Options } from "./options";

const appConfig = (ctx: StrategyContext, settings: Pm2Settings) => ({
  name: settings.name,
  script: join(settings.current, settings.script),
  cwd: settings.current,
  exec_mode: "cluster",
  instances: settings.instances,
  wait_ready: true,
  listen_timeout: settings.timeoutMs,
  kill_timeout: settings.killTimeoutMs,
  merge_logs: true,
  out_file: settings.logFile,
  error_file: settings.logFile,
  // Each instance joins the port only once it passed the health check (see node/readiness.ts),
  // so its "ready" (sent from the app's listen callback) means healthy.
  node_args: ["--require", settings.readinessFile],
  env: {
    ...ctx.env,
    DK_NODE_HEALTH: settings.healthcheck ?? "",
    ...(settings.port === undefined ? {} : { PORT: String(settings.port) }),
  },
});

/** Same path and query as the health URL, on the canary's port. */
const onPort = (url: string, port: number) => {
  const moved = new URL(url);
  moved.port = String(port);
  return moved.toString();
};

/** Waits until every instance of `name` is online and none of them is one of `oldPids`. */
async function waitOnline(
  ctx: StrategyContext,
  cli: Pm2Cli,
  settings: Pm2Settings,
  name: string,
  oldPids: number[],
  count: number,
) {
  const online = async () => {
    const list = await cli.list(name);
    if (list.some((p) => p.status === "errored" || p.status === "stopped")) return "errored" as const;
    const fresh = list.filter((p) => p.status === "online" && p.pid > 0 && !oldPids.includes(p.pid));
    return fresh.length >= count ? fresh.map((p) => p.pid) : undefined;
  };
  return waitUntil(ctx.clock, online, { timeoutMs: settings.timeoutMs, intervalMs: 200, signal: ctx.signal });
}

/** Boots the new release once as `<name>-canary` (fork mode, free port, no autorestart). */
async function canary(
  ctx: StrategyContext,
  cli: Pm2Cli,
  settings: Pm2Settings,
  log: Observations,
): Promise<void> {
  const name = `${settings.name}-canary`;
  const port = await freePortOn(hostOf(ctx));
  const config = {
    ...appConfig(ctx, settings),
    name,
    script: join(ctx.release.dir, settings.script),
    cwd: ctx.release.dir,
    exec_mode: "fork",
    instances: 1,
    autorestart: false,
    env: { ...ctx.env, DK_NODE_HEALTH: settings.healthcheck ?? "", PORT: String(port) },
  };
  try {
    await cli.run(["start", await cli.writeApp(settings.canaryEcosystem, config)]);
    const up = await waitOnline(ctx, cli, settings, name, [], 1);
    if (!Array.isArray(up))
      throw restartFailed(
        "pm2",
        `the canary of ${ctx.release.version} did not come online (${up ?? "timeout"}).`,
        { seen: log.seen },
      );
    log.note(`canary of ${ctx.release.version} online on port ${port}`);
    const url = settings.healthcheck;
    if (url !== undefined) {
      let health = await probeHealth(ctx.probe, onPort(url, port), { signal: ctx.signal });
      const healthy = async () => {
        health = await probeHealth(ctx.probe, onPort(url, port), { signal: ctx.signal });
        return health.ok;
      };
      // An app may answer errors while it warms up: the canary gets the timeout to pass.
      if (!health.ok)
        await waitUntil(ctx.clock, healthy, { timeoutMs: settings.timeoutMs, signal: ctx.signal });
      log.note(`canary health: ${health.seen}`);
      if (!health.ok)
        throw restartFailed("pm2", `the canary of ${ctx.release.version} answered ${health.seen}.`, {
          seen: log.seen,
        });
    }
  } finally {
    await cli.run(["delete", name]).catch(() => "");
  }
}

/**
 * Drives a real pm2 in cluster mode with `wait_ready`: the first restart starts the app from
 * `<root>/current`, later ones `pm2 reload` it (pm2 forks each replacement, waits for its
 * `process.send("ready")`, then stops the old instance). Before a reload the new release boots
 * once as a canary on a free port, because pm2 itself would replace healthy instances with
 * crashing ones; a canary that crashes or fails the health URL until the timeout fails the
 * restart with the old instances untouched. Every instance is preloaded (`node --require`) with
 * a readiness hold: the app's `listen` waits until the instance answers the health URL's path 2xx
 * through a private loopback port, so pm2's "ready" means healthy and no old instance is retired
 * for one that answers errors.
 *
 * @example
 * ```ts
 * pm2({ name: "web", port: 3000, healthcheck: "http://127.0.0.1:3000/health" })
 * ```
 */
export function pm2(options: Pm2Options): RuntimeStrategy {
  checkPm2Options(options);
  return {
    name: "pm2",
    ...(options.healthcheck === undefined ? {} : { healthcheckUrl: options.healthcheck }),
    async restart(ctx): Promise<RestartResult> {
      throwIfAborted(ctx.signal);
      const settings = pm2Settings(options, ctx);
      const cli = pm2Cli(ctx, settings.bin, settings.home);
      const log = observations(ctx, "pm2");
      await hostOf(ctx).mkdirs([dirname(settings.ecosystem), dirname(settings.logFile)]);
      const known = await cli.list(settings.name);
      const before = known.filter((p) => p.status === "online");
      await hostOf(ctx).writeFile(settings.readinessFile, readinessSource());
      const ecosystem = await cli.writeApp(settings.ecosystem, appConfig(ctx, settings));
      if (before.length === 0) {
        if (known.length > 0) await cli.run(["delete", settings.name]);
        await cli.run(["start", ecosystem]);
        log.note(`started ${settings.name} (${settings.instances} instances)`);
      } else {
        if (settings.canary) await canary(ctx, cli, settings, log);
        await cli.run(["reload", ecosystem, "--update-env"]);
        log.note(`reloaded ${settings.name}`);
      }
      const pids = await waitOnline(
        ctx,
        cli,
        settings,
        settings.name,
        before.map((p) => p.pid),
        settings.instances,
      );
      if (!Array.isArray(pids)) {
        throw restartFailed(
          "pm2",
          `${settings.name} is not online on ${ctx.release.version} (${pids ?? "timeout"}).`,
          {
            seen: log.seen,
          },
        );
      }
      log.note(`instances ${pids.join(", ")} online`);
      const url = settings.healthcheck;
      if (url !== undefined) {
        const ok = async () => (await probeHealth(ctx.probe, url, { signal: ctx.signal })).ok;
        if (!(await waitUntil(ctx.clock, ok, { timeoutMs: settings.timeoutMs, signal: ctx.signal }))) {
          throw restartFailed("pm2", `${url} did not answer 2xx after the reload.`, { seen: log.seen });
        }
      }
      return { strategy: "pm2", pids, details: { seen: log.seen } };
    },
    async status(ctx): Promise<StrategyStatus> {
      const settings = pm2Settings(options, ctx);
      const online = (await pm2Cli(ctx, settings.bin, settings.home).list(settings.name)).filter(
        (p) => p.status === "online",
      );
      return online.length === 0 ? { running: false } : { running: true, pids: online.map((p) => p.pid) };
    },
    async healthcheck(ctx) {
      const settings = pm2Settings(options, ctx);
      if (settings.healthcheck === undefined) return;
      const health = await probeHealth(ctx.probe, settings.healthcheck, { signal: ctx.signal });
      if (!health.ok)
        throw new DeployKitError("E_HEALTHCHECK", `${settings.healthcheck} answered ${health.seen}`);
    },
    async stop(ctx) {
      const settings = pm2Settings(options, ctx);
      await pm2Cli(ctx, settings.bin, settings.home).run(["delete", settings.name]);
    },
  };
}
