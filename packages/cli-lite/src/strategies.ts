import type { HealthcheckOptions, RuntimeStrategy } from "@deploykit/core";
import { DeployKitError, didYouMean } from "@deploykit/core";
import {
  createStrategy,
  STRATEGY_OPTION_KEYS,
  type StrategySpec,
  strategyNames,
  strategyOptionsFromFlags,
} from "@deploykit/runtimes";
import type { ArgsDef } from "citty";
import { kebab, type Settings } from "./settings";
import { UsageError } from "./usage";

/** Flags of the commands that restart the app; each sets the strategy option of the same name. */
export const strategyArgs = {
  strategy: {
    type: "string",
    description: `How to restart the app: ${strategyNames.join("|")} (config: strategy or strategy.name)`,
  },
  "pid-file": { type: "string", valueHint: "file", description: "Strategy option pidFile" },
  command: {
    type: "string",
    description: "Strategy option command (for --strategy command: the restart command)",
  },
  "process-name": {
    type: "string",
    description: "Strategy option name (process: the Procfile process type; pm2: the app name)",
  },
  port: { type: "string", description: "Strategy option port" },
  "start-command": { type: "string", description: "Strategy option startCommand (unicorn, sidekiq)" },
  "timeout-ms": {
    type: "string",
    valueHint: "ms",
    description: "Strategy option timeoutMs, in milliseconds (all but process)",
  },
  timeout: { type: "string", valueHint: "s", description: "Deprecated: seconds; use --timeout-ms" },
  mode: { type: "string", valueHint: "upgrade|reload", description: "Strategy option mode (unicorn)" },
  script: { type: "string", description: "Strategy option script (node, pm2)" },
  workers: { type: "string", description: "Strategy option workers (unicorn, node)" },
  service: {
    type: "string",
    description: "The service: strategy option unit (systemd), job (upstart) or service (sysv)",
  },
  action: { type: "string", description: "Strategy option action (systemd, upstart, sysv: restart|reload…)" },
  signal: {
    type: "string",
    valueHint: "SIGNAME",
    description: "Strategy option signal (signal), e.g. SIGHUP",
  },
  healthcheck: {
    type: "string",
    valueHint: "url",
    description: "Health gate after the restart (config: healthcheck, a URL or {url, timeoutMs, expectBody})",
  },
  "healthcheck-timeout": {
    type: "string",
    valueHint: "seconds",
    description:
      "How long the health gate waits for a 2xx, in seconds (default 30; config: healthcheck.timeoutMs)",
  },
} as const satisfies ArgsDef;

const STRATEGY_HINT =
  'Write strategy as a name ("process") or a mapping with a name and the strategy\'s options.';

const configError = (settings: Settings, message: string, hint = STRATEGY_HINT) =>
  new DeployKitError("E_INVALID_INPUT", `${settings.configPath}: ${message}`, { hint });

/**
 * The strategy the command line and config file describe, or `undefined` when neither names
 * one. Config options apply when the config names the same strategy; flags override them. The
 * health gate's URL (`--healthcheck`, or the config's `healthcheck`) is also the strategy's
 * `healthcheck` option, for every strategy whose option is a URL, unless the config's strategy
 * mapping names its own (a flag still wins over that). Option values are checked by
 * `createStrategy` before anything runs (`E_INVALID_INPUT`, exit 2).
 */
export function strategyFromSettings(settings: Settings): RuntimeStrategy | undefined {
  const configured = settings.config("strategy");
  let fromConfig: Record<string, unknown> = {};
  if (typeof configured === "string") fromConfig = { name: configured };
  else if (configured && typeof configured === "object" && !Array.isArray(configured)) {
    fromConfig = configured as Record<string, unknown>;
    if (typeof fromConfig.name !== "string") throw configError(settings, "strategy.name must be a string.");
  } else if (configured !== undefined) throw configError(settings, "strategy must be a name or a mapping.");

  const name = settings.flag("strategy") ?? (fromConfig.name as string | undefined);
  if (name === undefined) return undefined;
  if (!(strategyNames as string[]).includes(name)) {
    throw new UsageError(
      `Unknown strategy "${name}".`,
      `${didYouMean(name, strategyNames)}Use one of: ${strategyNames.join(", ")}.`,
    );
  }
  const { name: _configuredName, ...configOptions } = fromConfig.name === name ? fromConfig : {};
  // The health URL is also the strategy's own readiness check where it has one (unicorn keeps
  // the old master until a NEW worker answers 2xx from it): `--healthcheck URL` builds the same
  // strategy as `strategy: { name, healthcheck: URL }` does. A command strategy's healthcheck
  // is a command, not a URL, and sidekiq has none: the URL only gates those.
  const url = healthUrl(settings);
  const feedsStrategy =
    url !== undefined &&
    name !== "command" &&
    STRATEGY_OPTION_KEYS[name as StrategySpec["strategy"]].includes("healthcheck") &&
    (settings.flag("healthcheck") !== undefined || configOptions.healthcheck === undefined);
  const given = strategyOptionsFromFlags(name as StrategySpec["strategy"], {
    pidFile: settings.flag("pidFile"),
    command: settings.flag("command"),
    processName: settings.flag("processName"),
    port: numberFlag(settings, "port"),
    startCommand: settings.flag("startCommand"),
    timeoutMs: numberFlag(settings, "timeoutMs"),
    timeout: numberFlag(settings, "timeout"),
    mode: settings.flag("mode"),
    script: settings.flag("script"),
    workers: numberFlag(settings, "workers"),
    service: settings.flag("service"),
    action: settings.flag("action"),
    signal: settings.flag("signal"),
  });
  const health = feedsStrategy ? { healthcheck: url } : {};
  return createStrategy({ ...configOptions, ...health, ...given, strategy: name } as StrategySpec);
}

/** The health gate's URL: `--healthcheck`, else the config's `healthcheck` (a URL or `{ url }`). */
function healthUrl(settings: Settings): string | undefined {
  const configured = settings.config("healthcheck");
  if (settings.flag("healthcheck") !== undefined) return settings.flag("healthcheck");
  if (typeof configured === "string") return configured;
  const url = (configured as { url?: unknown } | null | undefined)?.url;
  return typeof url === "string" ? url : undefined;
}

/**
 * `--healthcheck URL`, else the config's `healthcheck` (a URL or core's HealthcheckOptions);
 * `--healthcheck-timeout` (s) overrides its `timeoutMs`.
 */
export function healthcheckFromSettings(settings: Settings): string | HealthcheckOptions | undefined {
  const seconds = numberFlag(settings, "healthcheckTimeout");
  const timeout = seconds === undefined ? {} : { timeoutMs: seconds * 1000 };
  const flag = settings.flag("healthcheck");
  const configured = settings.config("healthcheck");
  let check: HealthcheckOptions | undefined;
  if (flag !== undefined) check = { url: flag };
  else if (typeof configured === "string") check = { url: configured };
  else if (
    configured &&
    typeof configured === "object" &&
    typeof (configured as { url?: unknown }).url === "string"
  )
    check = configured as HealthcheckOptions;
  else if (configured !== undefined) {
    throw configError(
      settings,
      "healthcheck must be a URL or a mapping with a url.",
      "e.g. healthcheck: http://127.0.0.1:3000/health, or { url: ..., timeoutMs: 30000 }.",
    );
  }
  if (check === undefined && seconds !== undefined)
    throw new UsageError("--healthcheck-timeout needs --healthcheck (or healthcheck in the config).");
  return check && { ...check, ...timeout };
}

/**
 * For a command that restarts only with a strategy (`rollback`): without one nothing would use
 * `--healthcheck` or `--healthcheck-timeout`, so either flag is refused rather than ignored.
 * @throws {@link UsageError}
 */
export function refuseHealthcheckWithoutStrategy(settings: Settings): undefined {
  const given = ["healthcheck", "healthcheckTimeout"].find((key) => settings.flag(key) !== undefined);
  if (given === undefined) return undefined;
  throw new UsageError(
    `--${kebab(given)} needs --strategy (or strategy in the config file): without a restart nothing is health-checked.`,
    "Pass --strategy with the app's restart strategy, or drop the flag.",
  );
}

function numberFlag(settings: Settings, key: string): number | undefined {
  const value = settings.flag(key);
  if (value !== undefined && !/^\d+$/.test(value)) {
    throw new UsageError(`--${kebab(key)} must be a whole number, not "${value}".`);
  }
  return value === undefined ? undefined : Number(value);
}

/** The config's `env` mapping (extra environment for the app's processes). */
export function envFromSettings(settings: Settings): Record<string, string> | undefined {
  const env = settings.config("env");
  if (env === undefined) return undefined;
  const ok =
    env !== null &&
    typeof env === "object" &&
    !Array.isArray(env) &&
    Object.values(env).every((v) => typeof v === "string");
  if (!ok) {
    throw configError(
      settings,
      "env must be a mapping of names to strings.",
      'e.g. env: { RAILS_ENV: "production" }.',
    );
  }
  return env as Record<string, string>;
}
