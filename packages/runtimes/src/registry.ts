import { DeployKitError, type RuntimeStrategy } from "@deploykit/core";
import { type CommandOptions, command } from "./command";
import { type SystemdOptions, systemd } from "./init/systemd";
import { type SysvOptions, sysv } from "./init/sysv";
import { type UpstartOptions, upstart } from "./init/upstart";
import { type NodeOptions, node } from "./node/index";
import { type Pm2Options, pm2 } from "./pm2/index";
import { type ProcessOptions, process } from "./process";
import { type SidekiqOptions, sidekiq } from "./sidekiq/index";
import { type SignalOptions, signal } from "./signal";
import { type UnicornOptions, unicorn } from "./unicorn/index";

/**
 * A built-in strategy named by a plain object, as a config file or CLI flags give it:
 * `{ strategy: "unicorn", pidFile: "...", healthcheck: "..." }`.
 */
export type StrategySpec =
  | ({ strategy: "unicorn" } & UnicornOptions)
  | ({ strategy: "sidekiq" } & SidekiqOptions)
  | ({ strategy: "node" } & NodeOptions)
  | ({ strategy: "pm2" } & Pm2Options)
  | ({ strategy: "systemd" } & SystemdOptions)
  | ({ strategy: "upstart" } & UpstartOptions)
  | ({ strategy: "sysv" } & SysvOptions)
  | ({ strategy: "signal" } & SignalOptions)
  | ({ strategy: "command" } & CommandOptions)
  | ({ strategy: "process" } & ProcessOptions);

const factories: Record<StrategySpec["strategy"], (options: never) => RuntimeStrategy> = {
  unicorn,
  sidekiq,
  node,
  pm2,
  systemd,
  upstart,
  sysv,
  signal,
  command,
  process,
};

/** The names {@link createStrategy} knows. */
export const strategyNames = Object.keys(factories) as StrategySpec["strategy"][];

/**
 * Builds a built-in strategy from a {@link StrategySpec}, so a config file or the CLI can name
 * one. An unknown name, or options the strategy refuses, is `E_INVALID_INPUT` before anything runs.
 *
 * @example
 * ```ts
 * createStrategy({ strategy: "unicorn", pidFile: "/srv/web/shared/tmp/pids/unicorn.pid", healthcheck: "http://127.0.0.1:8080/health" })
 * ```
 */
export function createStrategy(spec: StrategySpec): RuntimeStrategy {
  const { strategy: name, ...options } = spec ?? ({} as StrategySpec);
  const factory = factories[name as StrategySpec["strategy"]];
  if (!factory) {
    throw new DeployKitError("E_INVALID_INPUT", `Unknown strategy "${String(name)}".`, {
      hint: `Use one of: ${strategyNames.join(", ")}.`,
      details: { strategy: name },
    });
  }
  return factory(options as never);
}
