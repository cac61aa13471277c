import {
  probeHealth,
  type RestartResult,
  type StrategyContext,
  type StrategyStatus,
  throwIfAborted,
  waitUntil,
} from "@deploykit/core";
import { restartFailed } from "../internal/failure";
import { observations } from "../internal/observations";
import { type CommandLine, runCommand } from "../internal/run-command";
import { readyTimeout } from "../internal/timing";

/** What an init system says about a service. */
export type ServiceState =
  | { state: "up"; pid?: number }
  | { state: "pending" }
  | { state: "down"; why: string };

/** A strategy's `status()` from what the init system says about the service. */
export async function serviceStatus(
  ctx: StrategyContext,
  driver: Pick<ServiceDriver, "state">,
): Promise<StrategyStatus> {
  const now = await driver.state(ctx);
  return now.state === "up" ? { running: true, ...(now.pid ? { pids: [now.pid] } : {}) } : { running: false };
}

/** How one init system is driven (systemd, upstart, sysv). */
export interface ServiceDriver {
  /** The strategy name. */
  name: string;
  /** The command that restarts (or reloads) the service. */
  restart: CommandLine;
  /** Run when `restart` fails, e.g. upstart's `start` for a job that is not running. */
  fallback?: CommandLine;
  /** Asks the init system whether the service runs. */
  state(ctx: StrategyContext): Promise<ServiceState>;
  /** Health URL checked once the service is up. */
  healthcheck: string | undefined;
  /** The strategy's `timeoutMs` as the user gave it (ms); undefined when not given. */
  timeoutMs: number | undefined;
  /** Its default (ms). */
  defaultTimeoutMs: number;
}

/**
 * Restarts a service through its init system, then observes it: polls the driver's state until
 * it is up (or down: failure), then the health URL until it answers 2xx. The restart command
 * gets the strategy's timeout (it includes stopping the old process); the wait for the service
 * to come up gets that timeout bounded by `ctx.readyTimeoutMs` (see `readyTimeout`).
 */
export async function restartService(ctx: StrategyContext, driver: ServiceDriver): Promise<RestartResult> {
  throwIfAborted(ctx.signal);
  const log = observations(ctx, driver.name);
  const commandMs = driver.timeoutMs ?? driver.defaultTimeoutMs;
  const readyMs = readyTimeout(ctx, driver.timeoutMs, driver.defaultTimeoutMs);
  const run = (command: CommandLine) =>
    runCommand(ctx, command, { step: "restart", timeoutMs: commandMs, cwd: ctx.root });
  const show = (command: CommandLine) => (typeof command === "string" ? command : command.join(" "));
  try {
    await run(driver.restart);
    log.note(`ran ${show(driver.restart)}`);
  } catch (error) {
    if (driver.fallback === undefined) throw error;
    log.note(`${show(driver.restart)} failed; running ${show(driver.fallback)}`);
    await run(driver.fallback);
  }
  let pid: number | undefined;
  const up = async () => {
    const last = await driver.state(ctx);
    if (last.state === "up") pid = last.pid;
    log.note(`state: ${last.state}${"why" in last ? ` (${last.why})` : ""}`);
    if (last.state === "down") return "down" as const;
    if (last.state !== "up") return undefined;
    if (driver.healthcheck === undefined) return "up" as const;
    const health = await probeHealth(ctx.probe, driver.healthcheck, { signal: ctx.signal });
    log.note(`health check ${driver.healthcheck}: ${health.seen}`);
    return health.ok ? ("up" as const) : undefined;
  };
  const outcome = await waitUntil(ctx.clock, up, { timeoutMs: readyMs, signal: ctx.signal });
  if (outcome !== "up") {
    throw restartFailed(
      driver.name,
      outcome === "down"
        ? "the service is not running after the restart."
        : `the service was not up and healthy within ${readyMs} ms.`,
      {
        seen: log.seen,
      },
    );
  }
  return { strategy: driver.name, ...(pid ? { pids: [pid] } : {}), details: { seen: log.seen } };
}

/** Runs a status command and hands back stdout, or the failure's exit code and output. */
export async function probeCommand(
  ctx: StrategyContext,
  command: CommandLine,
): Promise<{ exitCode: number; stdout: string }> {
  try {
    const result = await runCommand(ctx, command, { step: "status", timeoutMs: 30_000, cwd: ctx.root });
    return { exitCode: 0, stdout: result.stdout };
  } catch (error) {
    const details = (error as { details?: { exitCode?: number; stdout?: string } }).details;
    if (details?.exitCode === undefined) throw error;
    return { exitCode: details.exitCode, stdout: details.stdout ?? "" };
  }
}
