import { DeployKitError, type RuntimeStrategy, type StrategyContext } from "@deploykit/core";
import { assertChoice } from "../internal/choice";
import { runCommand } from "../internal/run-command";
import { givenMs } from "../internal/timing";
import { probeCommand, restartService, type ServiceState, serviceStatus } from "./service";

/** Options of {@link systemd}. */
export interface SystemdOptions {
  /** The unit, e.g. `web.service`. */
  unit: string;
  /** `restart` (default; stop + start), `reload` (ExecReload) or `reload-or-restart`. */
  action?: "restart" | "reload" | "reload-or-restart";
  /** Talk to the user's service manager (`systemctl --user`). */
  user?: boolean;
  /** A URL that must answer 2xx once the unit is active. */
  healthcheck?: string;
  /**
   * Milliseconds for `systemctl` to return and the unit to be active and healthy. Default 90 000
   * (systemd's own stop timeout). deploy()'s health gate timeout, when one was given (see `StrategyContext.readyTimeoutMs`),
   * bounds the wait for the service to come up instead of this default (given both, the shorter applies).
   */
  timeoutMs?: number;
  /** @deprecated Seconds: use `timeoutMs`. Still accepted (converted to ms). */
  timeout?: number;
}

const unitName = /^[A-Za-z0-9:_.@\\-]+$/;

/**
 * Restarts a systemd unit with `systemctl <action> <unit>`, then polls `systemctl is-active`
 * until it says `active` (a `failed` or `inactive` unit fails the restart) and the health URL
 * answers. `restart` has downtime; zero-downtime needs socket activation or the `node()` /
 * `unicorn()` strategies running under the unit.
 *
 * @example
 * ```ts
 * systemd({ unit: "web.service", healthcheck: "http://127.0.0.1:3000/health" })
 * ```
 */
export function systemd(options: SystemdOptions): RuntimeStrategy {
  if (!unitName.test(options?.unit ?? "")) {
    throw new DeployKitError("E_INVALID_INPUT", "systemd(): unit must be a unit name like web.service.", {
      details: { unit: options?.unit },
    });
  }
  assertChoice("systemd", "action", options.action, ["restart", "reload", "reload-or-restart"]);
  const systemctl = (...args: string[]) => ["systemctl", ...(options.user ? ["--user"] : []), ...args];
  const state = async (ctx: StrategyContext): Promise<ServiceState> => {
    const { stdout } = await probeCommand(ctx, systemctl("is-active", options.unit));
    const word = stdout.trim();
    if (word === "active") {
      const main = await probeCommand(ctx, systemctl("show", "-p", "MainPID", "--value", options.unit));
      const pid = Number(main.stdout.trim());
      return pid > 0 ? { state: "up", pid } : { state: "up" };
    }
    if (word === "activating" || word === "reloading" || word === "") return { state: "pending" };
    return { state: "down", why: word };
  };
  return {
    name: "systemd",
    restart: (ctx) =>
      restartService(ctx, {
        name: "systemd",
        restart: systemctl(options.action ?? "restart", options.unit),
        state,
        healthcheck: options.healthcheck,
        timeoutMs: givenMs(options.timeoutMs, options.timeout),
        defaultTimeoutMs: 90_000,
      }),
    status: (ctx) => serviceStatus(ctx, { state }),
    async stop(ctx) {
      await runCommand(ctx, systemctl("stop", options.unit), { step: "stop", cwd: ctx.root });
    },
  };
}
