import { DeployKitError, type RuntimeStrategy, type StrategyStatus, throwIfAborted } from "@deploykit/core";
import { type CommandLine, runCommand } from "./internal/run-command";

/** Options of {@link command}. */
export interface CommandOptions {
  /** Restarts the app, e.g. `systemctl restart web` or `["systemctl", "restart", "web"]`. */
  restart: CommandLine;
  /** Exits 0 when the app runs (e.g. `systemctl is-active --quiet web`). */
  status?: CommandLine;
  /** Stops the app. */
  stop?: CommandLine;
  /** Exits 0 when the app is healthy; becomes the strategy's own health check. */
  healthcheck?: CommandLine;
  /** Working directory; default the live release's folder. */
  cwd?: string;
  /** Kill a command that runs longer than this. Default 120 000 ms. */
  timeoutMs?: number;
  /** The strategy's name in events and results. Default `command`. */
  name?: string;
}

const isEmpty = (line: CommandLine) => (typeof line === "string" ? line.trim() === "" : line.length === 0);

/**
 * Restarts an app by running a command through the process runner (a string runs with
 * `sh -c`, an array runs without a shell). Output lines become `log` events; a non-zero exit is
 * `E_COMMAND_FAILED`, reported by `restart()`. Without `restart`, or with an empty command, it
 * throws `E_INVALID_INPUT` when built (before anything runs).
 *
 * @example
 * ```ts
 * command({ restart: "systemctl restart web", status: "systemctl is-active --quiet web" })
 * ```
 */
export function command(options: CommandOptions): RuntimeStrategy {
  if (options?.restart === undefined) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      "command(): restart (the command that restarts the app) is required.",
      {
        hint: 'e.g. --command "systemctl restart web", or { strategy: "command", restart: "..." } in the config.',
      },
    );
  }
  for (const key of ["restart", "status", "stop", "healthcheck"] as const) {
    const line = options[key];
    if (line !== undefined && isEmpty(line)) {
      throw new DeployKitError("E_INVALID_INPUT", `command(): "${key}" is empty.`, {
        hint: 'Pass a shell string or ["program", ...args].',
      });
    }
  }
  const name = options.name ?? "command";
  const settings = { timeoutMs: options.timeoutMs ?? 120_000, cwd: options.cwd };
  const strategy: RuntimeStrategy = {
    name,
    async restart(ctx) {
      throwIfAborted(ctx.signal);
      await runCommand(ctx, options.restart, { step: "restart", ...settings });
      return { strategy: name };
    },
  };
  const { status, stop, healthcheck } = options;
  if (status !== undefined) {
    strategy.status = async (ctx): Promise<StrategyStatus> => {
      const running = await runCommand(ctx, status, { step: "status", ...settings }).then(
        () => true,
        (error: unknown) => {
          if (error instanceof DeployKitError && error.code === "E_COMMAND_FAILED") return false;
          throw error;
        },
      );
      return { running };
    };
  }
  if (stop !== undefined) {
    strategy.stop = async (ctx) => {
      await runCommand(ctx, stop, { step: "stop", ...settings });
    };
  }
  if (healthcheck !== undefined) {
    strategy.healthcheck = async (ctx) => {
      await runCommand(ctx, healthcheck, { step: "healthcheck", ...settings });
    };
  }
  return strategy;
}
