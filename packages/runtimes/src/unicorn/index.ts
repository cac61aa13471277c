import {
  DeployKitError,
  probeHealth,
  type RuntimeStrategy,
  type StrategyStatus,
  throwIfAborted,
} from "@deploykit/core";
import { childPids, hostOf } from "../internal/host-io";
import { checkedPid, removePidFile } from "../internal/pid";
import { terminate } from "../internal/terminate";
import { checkUnicornOptions, type UnicornOptions, unicornSettings } from "./options";
import { reloadUnicorn, startUnicorn } from "./start";
import { upgrade } from "./upgrade";

export type { UnicornOptions } from "./options";

/**
 * Restarts unicorn without dropping a request. `upgrade` (default): USR2, then wait for the
 * new master to be observed ready (new pid file, `.oldbin`, workers up, health URL 2xx), then
 * QUIT the old master. A new master that dies or stays unready is QUIT instead, the old one
 * keeps serving, and the restart fails with `E_RESTART_FAILED` listing what was seen.
 * `reload`: HUP. No master running: start it with `startCommand`. A pid file naming another
 * process (pid reuse: not unicorn, or started after the file was written) is stale: a warning says
 * so, it gets no signal, the file is removed and a fresh master is started. Point unicorn's
 * `working_directory` at `<root>/current` so a re-exec'd master boots the new release.
 *
 * @example
 * ```ts
 * unicorn({ pidFile: "/srv/web/shared/tmp/pids/unicorn.pid", healthcheck: "http://127.0.0.1:8080/health" })
 * ```
 */
export function unicorn(options: UnicornOptions = {}): RuntimeStrategy {
  checkUnicornOptions(options);
  return {
    name: "unicorn",
    ...(options.healthcheck === undefined ? {} : { healthcheckUrl: options.healthcheck }),
    async restart(ctx) {
      throwIfAborted(ctx.signal);
      const settings = unicornSettings(options, ctx);
      const { pid: master, stale } = await checkedPid(ctx, "unicorn", settings.pidFile, settings.expected);
      // unicorn refuses to start while its pid file names a live process: a stale one goes first.
      if (stale !== undefined) await removePidFile(hostOf(ctx), settings.pidFile);
      if (master === undefined) return startUnicorn(ctx, settings);
      return settings.mode === "reload"
        ? reloadUnicorn(ctx, settings, master)
        : upgrade(ctx, settings, master);
    },
    async status(ctx): Promise<StrategyStatus> {
      const settings = unicornSettings(options, ctx);
      const { pid: master } = await checkedPid(ctx, "unicorn", settings.pidFile, settings.expected);
      if (master === undefined) return { running: false };
      return { running: true, pids: [master], details: { workers: await childPids(hostOf(ctx), master) } };
    },
    async healthcheck(ctx) {
      const settings = unicornSettings(options, ctx);
      const { pid: master } = await checkedPid(ctx, "unicorn", settings.pidFile, settings.expected);
      if (master === undefined)
        throw new DeployKitError("E_HEALTHCHECK", `No unicorn master in ${settings.pidFile}.`);
      if (settings.healthcheck === undefined) return;
      const health = await probeHealth(ctx.probe, settings.healthcheck, { signal: ctx.signal });
      if (!health.ok) {
        throw new DeployKitError("E_HEALTHCHECK", `${settings.healthcheck} answered ${health.seen}`, {
          details: { url: settings.healthcheck },
        });
      }
    },
    async stop(ctx) {
      const settings = unicornSettings(options, ctx);
      const { pid: master } = await checkedPid(ctx, "unicorn", settings.pidFile, settings.expected);
      if (master !== undefined)
        await terminate(ctx, master, { signal: "SIGQUIT", timeoutMs: settings.timeoutMs });
      await removePidFile(hostOf(ctx), settings.pidFile);
    },
  };
}
