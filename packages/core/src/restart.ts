import { resolveHostPorts } from "./connection/host-ports";
import { localHost } from "./connection/local-host";
import { DeployKitError, isDeployKitError, throwIfAborted } from "./errors";
import { step } from "./events";
import type { RestartContext, RestartResult, RuntimeStrategy, StrategyContext } from "./strategy";

/**
 * Fills a {@link RestartContext}'s missing host, ports and env with the defaults: `localHost()`,
 * and the real ports acting on the host (over SSH: commands, signals, pid files and probes on the server).
 */
export function strategyContext(ctx: RestartContext): StrategyContext {
  const host = ctx.host ?? localHost();
  return { ...ctx, host, ...resolveHostPorts(ctx, host), env: ctx.env ?? {} };
}

/**
 * Restarts an app with a strategy, as one `restart` step. Any failure the strategy throws
 * that is not already a {@link DeployKitError} becomes `E_RESTART_FAILED`.
 *
 * @example
 * ```ts
 * import { unicorn } from "@deploykit/runtimes"
 * await restart(unicorn({ pidFile: "/srv/app/shared/tmp/pids/unicorn.pid" }), { app, root, release })
 * ```
 */
export async function restart(strategy: RuntimeStrategy, ctx: RestartContext): Promise<RestartResult> {
  const full = strategyContext(ctx);
  throwIfAborted(full.signal);
  return step(
    full.onEvent,
    "restart",
    `Restarting ${full.app} ${full.release.version} (${strategy.name})`,
    async () => {
      try {
        return await strategy.restart(full);
      } catch (error) {
        if (isDeployKitError(error)) throw error;
        throw new DeployKitError(
          "E_RESTART_FAILED",
          `The ${strategy.name} restart of ${full.app} failed: ${(error as Error)?.message ?? error}`,
          {
            cause: error,
            hint: "Check the app's logs under shared/log and the strategy's settings.",
            details: { strategy: strategy.name, version: full.release.version },
          },
        );
      }
    },
  );
}
