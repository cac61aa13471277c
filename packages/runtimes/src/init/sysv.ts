import {
  DeployKitError,
  type RuntimeStrategy,
  type StrategyContext,
  type StrategyStatus,
} from "@deploykit/core";
import { assertChoice } from "../internal/choice";
import { runCommand } from "../internal/run-command";
import { givenMs } from "../internal/timing";
import { probeCommand, restartService, type ServiceState } from "./service";

/** Options of {@link sysv}. */
export interface SysvOptions {
  /** The service name (`/etc/init.d/<service>`). */
  service: string;
  /** The init script. Default `/etc/init.d/<service>`. */
  script?: string;
  /** `restart` (default) or `reload`. */
  action?: "restart" | "reload";
  /** A URL that must answer 2xx once the service runs. */
  healthcheck?: string;
  /**
   * Milliseconds for the init script to return and the service to be running and healthy.
   * Default 60 000. deploy()'s health gate timeout, when one was given (see `StrategyContext.readyTimeoutMs`),
   * bounds the wait for the service to come up instead of this default (given both, the shorter applies).
   */
  timeoutMs?: number;
  /** @deprecated Seconds: use `timeoutMs`. Still accepted (converted to ms). */
  timeout?: number;
}

/**
 * Restarts a SysV init service with `/etc/init.d/<service> restart`, then polls its LSB `status`
 * action (exit 0 = running, 1–3 = not running, 4 = unknown: keep waiting) and the health URL.
 *
 * @example
 * ```ts
 * sysv({ service: "web", healthcheck: "http://127.0.0.1:3000/health" })
 * ```
 */
export function sysv(options: SysvOptions): RuntimeStrategy {
  if (!/^[A-Za-z0-9_.-]+$/.test(options?.service ?? "")) {
    throw new DeployKitError("E_INVALID_INPUT", "sysv(): service must be a service name.", {
      details: { service: options?.service },
    });
  }
  assertChoice("sysv", "action", options.action, ["restart", "reload"]);
  const script = options.script ?? `/etc/init.d/${options.service}`;
  const state = async (ctx: StrategyContext): Promise<ServiceState> => {
    const { exitCode, stdout } = await probeCommand(ctx, [script, "status"]);
    if (exitCode === 0) return { state: "up" };
    if (exitCode === 4) return { state: "pending" };
    return { state: "down", why: stdout.trim() || `status exited ${exitCode}` };
  };
  return {
    name: "sysv",
    restart: (ctx) =>
      restartService(ctx, {
        name: "sysv",
        restart: [script, options.action ?? "restart"],
        state,
        healthcheck: options.healthcheck,
        timeoutMs: givenMs(options.timeoutMs, options.timeout),
        defaultTimeoutMs: 60_000,
      }),
    async status(ctx): Promise<StrategyStatus> {
      return { running: (await state(ctx)).state === "up" };
    },
    async stop(ctx) {
      await runCommand(ctx, [script, "stop"], { step: "stop", cwd: ctx.root });
    },
  };
}
