import type { StrategySpec } from "./registry";

/**
 * Strategy settings as a command line names them, one spelling for every strategy. Each maps
 * onto the strategy's own option (see {@link strategyOptionsFromFlags}).
 */
export interface StrategyFlags {
  pidFile?: string;
  /** The `command` strategy's `restart`; every other strategy's `command`. */
  command?: string;
  /** The strategy option `name` (process: the Procfile process type; pm2: the app name). */
  processName?: string;
  port?: number;
  startCommand?: string;
  /** Milliseconds. */
  timeoutMs?: number;
  /** @deprecated Seconds; converted to `timeoutMs` by {@link createStrategy} with a warning. */
  timeout?: number;
  mode?: string;
  script?: string;
  workers?: number;
  /** The service: `unit` (systemd), `job` (upstart), `service` (sysv, sidekiq). */
  service?: string;
  action?: string;
  signal?: string;
}

/** The option `--service` sets: each init system names its service differently. */
const SERVICE_OPTION: Record<string, string> = { systemd: "unit", upstart: "job" };

/**
 * Translates {@link StrategyFlags} into the options of the strategy `name`. Flags the strategy
 * has no option for are kept under their option name, so {@link createStrategy} refuses them
 * with the list of valid options instead of dropping them silently.
 */
export function strategyOptionsFromFlags(
  name: StrategySpec["strategy"],
  flags: StrategyFlags,
): Record<string, unknown> {
  const { command, processName, service, ...same } = flags;
  const options: Record<string, unknown> = {
    ...same,
    [name === "command" ? "restart" : "command"]: command,
    name: processName,
    [SERVICE_OPTION[name] ?? "service"]: service,
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
