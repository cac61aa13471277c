import { join } from "node:path";
import { DeployKitError, hostLayout, type StrategyContext } from "@deploykit/core";
import { assertChoice } from "../internal/choice";
import { commandWords, type PidExpectation } from "../internal/pid";
import { givenMs, msOption, readyTimeout } from "../internal/timing";

/** Options of `unicorn()`. */
export interface UnicornOptions {
  /** The master's pid file (unicorn's `pid` setting). Default `<root>/shared/tmp/pids/unicorn.pid`. */
  pidFile?: string;
  /** A URL answered by the workers; readiness needs a 2xx from it. Also the strategy's health check. */
  healthcheck?: string;
  /**
   * Count the health check only when its body contains the new release's version. While both
   * masters run, the URL can be answered by either one's workers; this makes sure the new code
   * answered. Default false.
   */
  expectVersion?: boolean;
  /**
   * Milliseconds the new master (or the reloaded workers) may take to become ready, and an old
   * master to exit after QUIT. Default 60 000. deploy()'s health gate timeout, when one was given
   * (see `StrategyContext.readyTimeoutMs`), replaces it for the ready wait (given both, the
   * shorter applies); the QUIT waits keep it.
   */
  timeoutMs?: number;
  /** @deprecated Seconds: use `timeoutMs`. Still accepted (converted to ms). */
  timeout?: number;
  /**
   * Starts unicorn when no master runs, as a shell command in `<root>/current` (with `PWD` set to
   * that symlink, so a later re-exec follows it). Default `unicorn -D -c config/unicorn.rb`.
   */
  startCommand?: string;
  /**
   * `upgrade` (default): USR2, observe the new master, QUIT the old one — zero downtime, new code
   * even with `preload_app true`. `reload`: HUP (re-reads config, respawns workers; new code only
   * with `preload_app false`).
   */
  mode?: "upgrade" | "reload";
  /** Workers that must be up under the new master before it counts as ready. Default 1. */
  workers?: number;
  /** unicorn's log (stderr_path), quoted in failure reports. Default `<root>/shared/log/unicorn.log`. */
  logFile?: string;
}

/** {@link UnicornOptions} with defaults applied for one host. */
export interface UnicornSettings {
  pidFile: string;
  oldbin: string;
  healthcheck: string | undefined;
  expectVersion: boolean;
  /** For an old or failed master to exit after QUIT (ms). */
  timeoutMs: number;
  /** For the new master (or reloaded workers) to become ready (ms): see `readyTimeout`. */
  readyTimeoutMs: number;
  startCommand: string;
  mode: "upgrade" | "reload";
  workers: number;
  logFile: string;
  cwd: string;
  /** What must be behind the pid file before it is signalled: a unicorn master. */
  expected: PidExpectation;
}

/** Checks options up front (bad input fails before any signal is sent). */
export function checkUnicornOptions(options: UnicornOptions): void {
  assertChoice("unicorn", "mode", options.mode, ["upgrade", "reload"]);
  for (const key of ["timeoutMs", "timeout"] as const) {
    const value = options[key];
    if (value !== undefined && !(value > 0)) {
      throw new DeployKitError("E_INVALID_INPUT", `unicorn(): ${key} must be positive.`);
    }
  }
  if (options.workers !== undefined && !(Number.isInteger(options.workers) && options.workers >= 0)) {
    throw new DeployKitError("E_INVALID_INPUT", "unicorn(): workers must be a whole number.");
  }
}

/** Applies defaults relative to the context's host root. */
export function unicornSettings(options: UnicornOptions, ctx: StrategyContext): UnicornSettings {
  const layout = hostLayout(ctx.root);
  const pidFile = options.pidFile ?? join(layout.pids, "unicorn.pid");
  const startCommand = options.startCommand ?? "unicorn -D -c config/unicorn.rb";
  return {
    pidFile,
    oldbin: `${pidFile}.oldbin`,
    healthcheck: options.healthcheck,
    expectVersion: options.expectVersion ?? false,
    timeoutMs: msOption(options.timeoutMs, options.timeout, 60_000),
    readyTimeoutMs: readyTimeout(ctx, givenMs(options.timeoutMs, options.timeout), 60_000),
    startCommand,
    mode: options.mode ?? "upgrade",
    workers: options.workers ?? 1,
    logFile: options.logFile ?? join(layout.logs, "unicorn.log"),
    cwd: layout.current,
    expected: {
      what: "a unicorn master",
      words: ["unicorn", "unicorn_rails", ...commandWords(startCommand)],
    },
  };
}
