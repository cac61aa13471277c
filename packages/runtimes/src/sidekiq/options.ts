import { join } from "node:path";
import { DeployKitError, hostLayout, type StrategyContext } from "@deploykit/core";
import { commandWords, type PidExpectation } from "../internal/pid";
import type { CommandLine } from "../internal/run-command";
import { givenMs, msOption, readyTimeout } from "../internal/timing";

/** Options of `sidekiq()`. */
export interface SidekiqOptions {
  /**
   * Where deploykit keeps the pid of the sidekiq it started (sidekiq 6 writes none itself).
   * Default `<root>/shared/tmp/pids/sidekiq.pid`.
   */
  pidFile?: string;
  /**
   * A systemd unit that runs sidekiq, instead of a process deploykit starts: TSTP its main
   * process, then `systemctl restart` (the unit needs `TimeoutStopSec` >= `timeout + 5`).
   */
  service?: string;
  /**
   * sidekiq's shutdown timeout in milliseconds (passed as `-t`, rounded up to whole seconds); no
   * process is KILLed before `timeoutMs + 5000` ms. Default 25 000.
   */
  timeoutMs?: number;
  /** @deprecated Seconds: use `timeoutMs`. Still accepted (converted to ms). */
  timeout?: number;
  /**
   * Starts one sidekiq process in the release folder. An array runs without a shell; a string
   * runs as `sh -c "exec <string>"` so the pid is sidekiq's own. Default
   * `["sidekiq", "-e", "production", "-t", <timeout>]`.
   */
  startCommand?: CommandLine;
  /**
   * Milliseconds a new process may take to boot. Default 60 000, or deploy()'s health gate
   * timeout when one was given (see `StrategyContext.readyTimeoutMs`); given both, the shorter
   * applies.
   */
  startTimeoutMs?: number;
  /** @deprecated Seconds: use `startTimeoutMs`. Still accepted (converted to ms). */
  startTimeout?: number;
  /** A log line (of the new pid) that says it booted. Default `/INFO: Running in /`. */
  readyPattern?: RegExp;
  /** Log file (appended). Default `<root>/shared/log/sidekiq.log`. */
  logFile?: string;
}

/** {@link SidekiqOptions} with defaults applied for one host. */
export interface SidekiqSettings {
  pidFile: string;
  timeoutMs: number;
  /** timeout + 5 s: the earliest a KILL may come. */
  killAfterMs: number;
  startTimeoutMs: number;
  command: [string, string[]];
  readyPattern: RegExp;
  logFile: string;
  /** What must be behind the pid file before it is signalled. */
  expected: PidExpectation;
}

/** Checks options up front, before any signal is sent. */
export function checkSidekiqOptions(options: SidekiqOptions): void {
  for (const key of ["timeoutMs", "timeout", "startTimeoutMs", "startTimeout"] as const) {
    const value = options[key];
    if (value !== undefined && !(value > 0)) {
      throw new DeployKitError("E_INVALID_INPUT", `sidekiq(): ${key} must be positive.`);
    }
  }
  const start = options.startCommand;
  if (start !== undefined && (typeof start === "string" ? start.trim() === "" : start.length === 0)) {
    throw new DeployKitError("E_INVALID_INPUT", "sidekiq(): startCommand is empty.");
  }
}

/** Applies defaults relative to the context's host root. */
export function sidekiqSettings(options: SidekiqOptions, ctx: StrategyContext): SidekiqSettings {
  const layout = hostLayout(ctx.root);
  const timeoutMs = msOption(options.timeoutMs, options.timeout, 25_000);
  const seconds = String(Math.ceil(timeoutMs / 1000));
  const start = options.startCommand ?? ["sidekiq", "-e", "production", "-t", seconds];
  const [program = "sidekiq", ...args] = typeof start === "string" ? ["sh", "-c", `exec ${start}`] : start;
  return {
    pidFile: options.pidFile ?? join(layout.pids, "sidekiq.pid"),
    timeoutMs,
    killAfterMs: timeoutMs + 5000,
    startTimeoutMs: readyTimeout(ctx, givenMs(options.startTimeoutMs, options.startTimeout), 60_000),
    command: [program, args],
    readyPattern: options.readyPattern ?? /INFO: Running in /,
    logFile: options.logFile ?? join(layout.logs, "sidekiq.log"),
    expected: { what: "sidekiq", words: ["sidekiq", ...commandWords([program, ...args].join(" "))] },
  };
}
