import { type RestartResult, type RuntimeStrategy, throwIfAborted } from "@deploykit/core";
import { systemd } from "../init/systemd";
import { observations } from "../internal/observations";
import { runCommand } from "../internal/run-command";

/**
 * sidekiq run by a systemd unit: TSTP the unit's main process (quiet) as early as possible,
 * then `systemctl restart`, whose stop sends TERM and waits `TimeoutStopSec` before KILL. So the
 * unit must have `TimeoutStopSec` of at least `timeout + 5` s (systemd's default, 90 s, covers
 * sidekiq's default 25).
 */
export function sidekiqService(service: string, timeout: number): RuntimeStrategy {
  const unit = systemd({ unit: service, timeout: timeout + 5 + 60 });
  return {
    name: "sidekiq",
    async restart(ctx): Promise<RestartResult> {
      throwIfAborted(ctx.signal);
      const log = observations(ctx, "sidekiq");
      await runCommand(ctx, ["systemctl", "kill", "--signal=TSTP", "--kill-who=main", service], {
        step: "restart",
        cwd: ctx.root,
      });
      log.note(`TSTP sent to ${service}: quiet, finishing its jobs`);
      const result = await unit.restart(ctx);
      return { ...result, strategy: "sidekiq", details: { ...result.details, service, quieted: log.seen } };
    },
    status: (ctx) => (unit.status ? unit.status(ctx) : Promise.resolve({ running: false })),
    stop: async (ctx) => unit.stop?.(ctx),
  };
}
