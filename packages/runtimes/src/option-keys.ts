import type { CommandOptions } from "./command";
import type { SystemdOptions } from "./init/systemd";
import type { SysvOptions } from "./init/sysv";
import type { UpstartOptions } from "./init/upstart";
import type { NodeOptions } from "./node/options";
import type { Pm2Options } from "./pm2/options";
import type { ProcessOptions } from "./process";
import type { SidekiqOptions } from "./sidekiq/options";
import type { SignalOptions } from "./signal";
import type { UnicornOptions } from "./unicorn/options";

/**
 * Every key of `T`, checked at compile time: a key added to an options interface but not
 * listed here is a type error, so the unknown-key check can never refuse a real option.
 */
const keysOf =
  <T>() =>
  <const K extends readonly (keyof T & string)[]>(
    keys: K &
      ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, K[number]> }),
  ): readonly string[] =>
    keys;

/** The option names each built-in strategy accepts (deprecated spellings included). */
export const STRATEGY_OPTION_KEYS = {
  unicorn: keysOf<UnicornOptions>()([
    "pidFile",
    "healthcheck",
    "expectVersion",
    "timeoutMs",
    "timeout",
    "startCommand",
    "mode",
    "workers",
    "logFile",
  ]),
  sidekiq: keysOf<SidekiqOptions>()([
    "pidFile",
    "service",
    "timeoutMs",
    "timeout",
    "startCommand",
    "startTimeoutMs",
    "startTimeout",
    "readyPattern",
    "logFile",
  ]),
  node: keysOf<NodeOptions>()([
    "script",
    "args",
    "workers",
    "port",
    "healthcheck",
    "timeoutMs",
    "timeout",
    "killTimeoutMs",
    "killTimeout",
    "waitReady",
    "pidFile",
    "logFile",
  ]),
  pm2: keysOf<Pm2Options>()([
    "name",
    "script",
    "instances",
    "port",
    "healthcheck",
    "timeoutMs",
    "timeout",
    "killTimeoutMs",
    "killTimeout",
    "bin",
    "home",
    "canary",
  ]),
  systemd: keysOf<SystemdOptions>()(["unit", "action", "user", "healthcheck", "timeoutMs", "timeout"]),
  upstart: keysOf<UpstartOptions>()(["job", "action", "healthcheck", "timeoutMs", "timeout"]),
  sysv: keysOf<SysvOptions>()(["service", "script", "action", "healthcheck", "timeoutMs", "timeout"]),
  signal: keysOf<SignalOptions>()([
    "pidFile",
    "signal",
    "waitForNewPid",
    "healthcheck",
    "timeoutMs",
    "timeout",
  ]),
  command: keysOf<CommandOptions>()(["restart", "status", "stop", "healthcheck", "cwd", "timeoutMs", "name"]),
  process: keysOf<ProcessOptions>()([
    "name",
    "command",
    "pidFile",
    "logFile",
    "stopTimeoutMs",
    "port",
    "healthcheck",
    "startTimeoutMs",
  ]),
} as const;

/** An old option name still accepted: the name it became and the factor to milliseconds. */
export interface DeprecatedOption {
  to: string;
  /** 1000 for a seconds-valued name, 1 for a rename only. */
  factor: number;
}

/** One unit convention (`...Ms`, milliseconds): the older names, converted with a warning. */
export const DEPRECATED_OPTIONS: Record<string, DeprecatedOption> = {
  timeout: { to: "timeoutMs", factor: 1000 },
  startTimeout: { to: "startTimeoutMs", factor: 1000 },
  killTimeout: { to: "killTimeoutMs", factor: 1 },
};
