import { basename } from "node:path";
import {
  DeployKitError,
  probeHealth,
  type RestartResult,
  type RuntimeStrategy,
  type StrategyStatus,
  throwIfAborted,
  waitUntil,
} from "@deploykit/core";
import { assertChoice, SIGNAL_NAMES } from "./internal/choice";
import { restartFailed } from "./internal/failure";
import { observations } from "./internal/observations";
import { checkedPid, livePid, type PidExpectation } from "./internal/pid";
import { givenMs, readyTimeout } from "./internal/timing";

/** Options of {@link signal}. */
export interface SignalOptions {
  /** The pid file of the process to signal. */
  pidFile: string;
  /** The signal, by name (`SIGUSR1`). Default `SIGHUP`. Another value (`HUP`, `0`) is `E_INVALID_INPUT`. */
  signal?: NodeJS.Signals;
  /** Wait until the pid file holds a different live pid (for servers that re-exec themselves). */
  waitForNewPid?: boolean;
  /** A URL that must answer 2xx after the signal. */
  healthcheck?: string;
  /**
   * Milliseconds for the new pid and the health check. Default 60 000, or deploy()'s health gate
   * timeout when one was given (see `StrategyContext.readyTimeoutMs`); given both, the shorter
   * applies.
   */
  timeoutMs?: number;
  /** @deprecated Seconds: use `timeoutMs`. Still accepted (converted to ms). */
  timeout?: number;
}

/**
 * Sends a signal to the process in a pid file (a reload signal your server understands, like
 * puma's SIGUSR1 or nginx's SIGHUP), then observes the result: a new pid when
 * `waitForNewPid`, and the health URL answering 2xx. No live process is `E_RESTART_FAILED`, and
 * so is a stale pid file: one whose process started after the file was written, or neither runs
 * inside the app's root nor has the pid file's name (`puma.pid` → `puma`) in its command line.
 *
 * @example
 * ```ts
 * signal({ pidFile: "/srv/web/shared/tmp/pids/puma.pid", signal: "SIGUSR1", healthcheck: "http://127.0.0.1:9292/health" })
 * ```
 */
export function signal(options: SignalOptions): RuntimeStrategy {
  if (typeof options?.pidFile !== "string" || options.pidFile === "") {
    throw new DeployKitError("E_INVALID_INPUT", "signal(): pidFile is required.");
  }
  // `HUP` and `hup` point at SIGHUP; a number (`0`) at nothing.
  const spelled = (word: string) => (/^\d*$/.test(word) || /^sig/i.test(word) ? word : `SIG${word}`);
  assertChoice("signal", "signal", options.signal, SIGNAL_NAMES, (word) => spelled(word).toUpperCase());
  const sig = options.signal ?? "SIGHUP";
  // A server's pid file is named after it (puma.pid, nginx.pid), or lives in the app (server.pid).
  const program = basename(options.pidFile).replace(/\.pid$/, "");
  const expected: PidExpectation = { what: `${program} or a process of this app`, words: [program] };
  const givenTimeoutMs = givenMs(options.timeoutMs, options.timeout);
  return {
    name: "signal",
    async restart(ctx): Promise<RestartResult> {
      throwIfAborted(ctx.signal);
      const log = observations(ctx, "signal");
      const { pid, stale } = await checkedPid(ctx, "signal", options.pidFile, expected);
      if (pid === undefined || !(await ctx.processes.kill(pid, sig))) {
        throw restartFailed(
          "signal",
          `no live process in ${options.pidFile} to send ${sig} to${stale ? `: the pid file is stale (${stale})` : ""}.`,
          { pidFile: options.pidFile, ...(stale ? { stale } : {}) },
        );
      }
      log.note(`${sig} sent to ${pid}`);
      const timeoutMs = readyTimeout(ctx, givenTimeoutMs, 60_000);
      const ready = async () => {
        let now = pid;
        if (options.waitForNewPid) {
          const next = await livePid(ctx.processes, options.pidFile);
          if (next === undefined || next === pid) return undefined;
          now = next;
        }
        if (options.healthcheck !== undefined) {
          const health = await probeHealth(ctx.probe, options.healthcheck, { signal: ctx.signal });
          log.note(`health check ${options.healthcheck}: ${health.seen}`);
          if (!health.ok) return undefined;
        }
        return now;
      };
      const serving = await waitUntil(ctx.clock, ready, { timeoutMs, signal: ctx.signal });
      if (serving === undefined) {
        throw restartFailed("signal", `not ready within ${timeoutMs} ms after ${sig}.`, {
          pid,
          seen: log.seen,
        });
      }
      return {
        strategy: "signal",
        pids: [serving],
        details: { signal: sig, previousPid: pid, seen: log.seen },
      };
    },
    async status(ctx): Promise<StrategyStatus> {
      const { pid } = await checkedPid(ctx, "signal", options.pidFile, expected);
      return pid === undefined ? { running: false } : { running: true, pids: [pid] };
    },
    async healthcheck(ctx) {
      if (options.healthcheck === undefined) return;
      const health = await probeHealth(ctx.probe, options.healthcheck, { signal: ctx.signal });
      if (!health.ok)
        throw new DeployKitError("E_HEALTHCHECK", `${options.healthcheck} answered ${health.seen}`);
    },
  };
}
