import { DeployKitError, type RuntimeStrategy, type StrategyContext } from "@deploykit/core";
import { assertChoice } from "../internal/choice";
import { runCommand } from "../internal/run-command";
import { givenMs } from "../internal/timing";
import { probeCommand, restartService, type ServiceState, serviceStatus } from "./service";

/** Options of {@link upstart}. */
export interface UpstartOptions {
  /** The job name (`/etc/init/<job>.conf`). */
  job: string;
  /** `restart` (default) or `reload` (sends the job's main process HUP). */
  action?: "restart" | "reload";
  /** A URL that must answer 2xx once the job runs. */
  healthcheck?: string;
  /**
   * Milliseconds for `initctl` to return and the job to be running and healthy. Default 60 000.
   * deploy()'s health gate timeout, when one was given (see `StrategyContext.readyTimeoutMs`),
   * bounds the wait for the service to come up instead of this default (given both, the shorter applies).
   */
  timeoutMs?: number;
  /** @deprecated Seconds: use `timeoutMs`. Still accepted (converted to ms). */
  timeout?: number;
}

/**
 * Restarts an upstart job (Ubuntu 12.04 / 14.04) with `initctl restart JOB` — or `initctl start
 * JOB` when it was not running — then polls `initctl status JOB` until it reports
 * `start/running, process <pid>` and the health URL answers.
 *
 * @example
 * ```ts
 * upstart({ job: "web", healthcheck: "http://127.0.0.1:3000/health" })
 * ```
 */
export function upstart(options: UpstartOptions): RuntimeStrategy {
  if (!/^[A-Za-z0-9_.-]+$/.test(options?.job ?? "")) {
    throw new DeployKitError("E_INVALID_INPUT", "upstart(): job must be a job name.", {
      details: { job: options?.job },
    });
  }
  assertChoice("upstart", "action", options.action, ["restart", "reload"]);
  const state = async (ctx: StrategyContext): Promise<ServiceState> => {
    const { exitCode, stdout } = await probeCommand(ctx, ["initctl", "status", options.job]);
    const match = /(\w+)\/(\w+)(?:, process (\d+))?/.exec(stdout);
    if (exitCode !== 0 || !match)
      return { state: "down", why: stdout.trim() || `initctl exited ${exitCode}` };
    const [, goal, status, pid] = match;
    if (goal === "start" && status === "running")
      return pid ? { state: "up", pid: Number(pid) } : { state: "up" };
    if (goal === "start") return { state: "pending" };
    return { state: "down", why: `${goal}/${status}` };
  };
  return {
    name: "upstart",
    restart: (ctx) =>
      restartService(ctx, {
        name: "upstart",
        restart: ["initctl", options.action ?? "restart", options.job],
        fallback: ["initctl", "start", options.job],
        state,
        healthcheck: options.healthcheck,
        timeoutMs: givenMs(options.timeoutMs, options.timeout),
        defaultTimeoutMs: 60_000,
      }),
    status: (ctx) => serviceStatus(ctx, { state }),
    async stop(ctx) {
      await runCommand(ctx, ["initctl", "stop", options.job], { step: "stop", cwd: ctx.root });
    },
  };
}
