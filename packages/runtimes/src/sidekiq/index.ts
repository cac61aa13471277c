import {
  isDeployKitError,
  type RestartResult,
  type RuntimeStrategy,
  type StrategyStatus,
  throwIfAborted,
} from "@deploykit/core";
import { hostOf } from "../internal/host-io";
import { observations } from "../internal/observations";
import { checkedPid, removePidFile, writePidFile } from "../internal/pid";
import { terminate } from "../internal/terminate";
import { msOption } from "../internal/timing";
import { checkSidekiqOptions, type SidekiqOptions, sidekiqSettings } from "./options";
import { sidekiqService } from "./service";
import { replaceQuiet, startSidekiq } from "./start";

export type { SidekiqOptions } from "./options";

/**
 * Restarts sidekiq without losing a job: TSTP the old process (quiet: it finishes its jobs and
 * fetches no more), start the new one and wait for it to boot, then TERM the old one and give
 * it `timeout + 5` s before any KILL. When the new one fails to boot, the quiet one is replaced
 * by a fresh process of the release it ran, so nothing stays quiet. Sidekiq 6 writes no pid
 * file, so deploykit starts sidekiq itself and tracks its pid in `pidFile`.
 *
 * @example
 * ```ts
 * sidekiq({ timeoutMs: 25_000, startCommand: ["sidekiq", "-e", "production", "-C", "config/sidekiq.yml"] })
 * ```
 */
export function sidekiq(options: SidekiqOptions = {}): RuntimeStrategy {
  checkSidekiqOptions(options);
  if (options.service !== undefined) {
    const seconds = Math.ceil(msOption(options.timeoutMs, options.timeout, 25_000) / 1000);
    return sidekiqService(options.service, seconds);
  }
  return {
    name: "sidekiq",
    async restart(ctx): Promise<RestartResult> {
      throwIfAborted(ctx.signal);
      const settings = sidekiqSettings(options, ctx);
      const log = observations(ctx, "sidekiq");
      const { pid: old } = await checkedPid(ctx, "sidekiq", settings.pidFile, settings.expected);
      if (old !== undefined) {
        await ctx.processes.kill(old, "SIGTSTP");
        log.note(`TSTP sent to ${old}: quiet, finishing its jobs`);
      }
      let pid: number;
      try {
        pid = await startSidekiq(ctx, settings, ctx.release.dir, log);
      } catch (error) {
        if (old !== undefined) await replaceQuiet(ctx, settings, old, log);
        if (isDeployKitError(error)) Object.assign(error.details, { seen: log.seen });
        throw error;
      }
      await writePidFile(hostOf(ctx), settings.pidFile, pid);
      if (old === undefined) return { strategy: "sidekiq", pids: [pid], details: { seen: log.seen } };
      log.note(`TERM sent to ${old}; KILL only after ${settings.killAfterMs} ms`);
      const stopped = await terminate(ctx, old, { timeoutMs: settings.killAfterMs });
      log.note(`old sidekiq ${old} ${stopped.killed ? "KILLed" : "exited"} after ${stopped.elapsedMs} ms`);
      return {
        strategy: "sidekiq",
        pids: [pid],
        details: { oldPid: old, stoppedAfterMs: stopped.elapsedMs, killed: stopped.killed, seen: log.seen },
      };
    },
    async status(ctx): Promise<StrategyStatus> {
      const settings = sidekiqSettings(options, ctx);
      const { pid } = await checkedPid(ctx, "sidekiq", settings.pidFile, settings.expected);
      return pid === undefined ? { running: false } : { running: true, pids: [pid] };
    },
    async stop(ctx) {
      const settings = sidekiqSettings(options, ctx);
      const { pid } = await checkedPid(ctx, "sidekiq", settings.pidFile, settings.expected);
      if (pid !== undefined) await terminate(ctx, pid, { timeoutMs: settings.killAfterMs });
      await removePidFile(hostOf(ctx), settings.pidFile);
    },
  };
}
