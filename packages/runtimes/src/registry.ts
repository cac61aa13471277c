import { DeployKitError, type RuntimeStrategy } from "@deploykit/core";
import { type CommandOptions, command } from "./command";
import { type SystemdOptions, systemd } from "./init/systemd";
import { type SysvOptions, sysv } from "./init/sysv";
import { type UpstartOptions, upstart } from "./init/upstart";
import { type NodeOptions, node } from "./node/index";
import { DEPRECATED_OPTIONS, STRATEGY_OPTION_KEYS } from "./option-keys";
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
 * one. Durations are milliseconds (`timeoutMs`, `startTimeoutMs`, `killTimeoutMs`); the older
 * names (`timeout` and `startTimeout` in seconds, `killTimeout`) are converted, and each restart
 * then emits a `warning` event saying so. An unknown name, an option the strategy does not
 * have (the error lists the valid ones), or options the strategy refuses, is `E_INVALID_INPUT`
 * before anything runs. The strategy carries its `settings` (the spec, normalised) and
 * `withSettings(recorded)`, which `deploy()` uses to restart an old release with the options it
 * ran with after a deploy fails (see `RuntimeStrategy.settings`).
 *
 * @example
 * ```ts
 * createStrategy({ strategy: "unicorn", pidFile: "/srv/web/shared/tmp/pids/unicorn.pid", timeoutMs: 90_000 })
 * ```
 * @throws `DeployKitError` `E_INVALID_INPUT`
 */
export function createStrategy(spec: StrategySpec): RuntimeStrategy {
  const { strategy: name, ...given } = spec ?? ({} as StrategySpec);
  const factory = factories[name as StrategySpec["strategy"]];
  if (!factory) {
    throw new DeployKitError("E_INVALID_INPUT", `Unknown strategy "${String(name)}".`, {
      hint: `Use one of: ${strategyNames.join(", ")}.`,
      details: { strategy: name },
    });
  }
  const { options, warnings } = normalizeOptions(name, given);
  const strategy = withWarnings(factory(options as never), warnings);
  // Recorded with each release it brings up, so deploy()'s automatic rollback restarts the old
  // release with the options it ran with; functions (hooks) are not JSON and come from this spec.
  const settings = { strategy: name, ...options };
  const functions = Object.fromEntries(Object.entries(given).filter(([, v]) => typeof v === "function"));
  return Object.freeze({
    ...strategy,
    settings,
    withSettings: (recorded: Readonly<Record<string, unknown>>) =>
      createStrategy({ ...functions, ...recorded } as unknown as StrategySpec),
  });
}

/** Converts deprecated names to the `...Ms` ones and refuses keys the strategy does not have. */
function normalizeOptions(
  name: StrategySpec["strategy"],
  given: Record<string, unknown>,
): { options: Record<string, unknown>; warnings: string[] } {
  const valid = STRATEGY_OPTION_KEYS[name];
  const options = { ...given };
  const warnings: string[] = [];
  for (const [old, { to, factor }] of Object.entries(DEPRECATED_OPTIONS)) {
    if (options[old] === undefined || !valid.includes(to)) continue;
    if (options[to] !== undefined) {
      throw new DeployKitError("E_INVALID_INPUT", `${name}: give ${to} or ${old}, not both.`, {
        hint: `Keep ${to} (milliseconds).`,
        details: { strategy: name },
      });
    }
    const value = options[old];
    if (typeof value !== "number") {
      throw new DeployKitError("E_INVALID_INPUT", `${name}: ${old} must be a number.`, {
        hint: `Use ${to} (milliseconds).`,
        details: { strategy: name, option: old },
      });
    }
    options[to] = value * factor;
    delete options[old];
    warnings.push(
      factor === 1
        ? `${name}: the option "${old}" is deprecated; it is now called "${to}" (milliseconds).`
        : `${name}: the option "${old}" (seconds) is deprecated; use "${to}": ${value * factor} (milliseconds).`,
    );
  }
  const unknown = Object.keys(options).filter((key) => options[key] !== undefined && !valid.includes(key));
  if (unknown.length > 0) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `The ${name} strategy has no option${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}.`,
      {
        hint: `Its options are: ${valid.join(", ")}.`,
        details: { strategy: name, unknown, valid },
      },
    );
  }
  return { options, warnings };
}

/** The strategy, emitting `warnings` as `warning` events at the start of each restart. */
function withWarnings(strategy: RuntimeStrategy, warnings: string[]): RuntimeStrategy {
  if (warnings.length === 0) return strategy;
  return {
    ...strategy,
    restart: (ctx) => {
      for (const message of warnings) ctx.onEvent?.({ type: "warning", step: "restart", message });
      return strategy.restart(ctx);
    },
  };
}
