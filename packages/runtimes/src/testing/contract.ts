import assert from "node:assert/strict";
import {
  type ErrorCode,
  isDeployKitError,
  localHost,
  type Ports,
  type RestartContext,
  type RuntimeStrategy,
  resolveHostPorts,
  restart,
  strategyContext,
} from "@deploykit/core";
import type { ContractCase } from "@deploykit/core/testing";

/** The real ports of a scenario's context, acting on its host (this machine when it names none). */
const portsOf = (ctx: RestartContext) => resolveHostPorts(ctx, ctx.host ?? localHost());

/**
 * One prepared situation for a contract case: a strategy and the context to restart it with.
 * Give the context a `host` (e.g. `sshHost(...)`) to run the same cases against a remote host.
 */
export interface RuntimeScenario {
  strategy: RuntimeStrategy;
  /** The context: the old release is live (or nothing runs yet), `release` is the one to bring up. */
  ctx: RestartContext;
  /** For `hanging` scenarios: the strategy's own readiness timeout, in ms. */
  timeoutMs?: number;
  /** Throws unless the new release is serving (checked after a successful restart). */
  assertServing?(): Promise<void>;
  /** Throws unless the old release still serves / nothing was left half-started (after a failure). */
  assertSurvived?(): Promise<void>;
  /** Stops whatever the scenario started. */
  cleanup?(): Promise<void>;
}

/**
 * Builds scenarios for the contract: `healthy` = the new release comes up; `broken` = it fails
 * at once (crashes at boot, the command exits non-zero); `hanging` = it never becomes ready.
 */
export interface RuntimeHarness {
  setup(kind: "healthy" | "broken" | "hanging"): Promise<RuntimeScenario>;
}

/** Tuning for {@link runtimeContractCases}. */
export interface RuntimeContractOptions {
  /** Time allowed beyond the strategy's timeout for stopping what it started. Default 15 000 ms. */
  graceMs?: number;
  /** Codes a failed restart may carry. Default `E_RESTART_FAILED`, `E_COMMAND_FAILED`, `E_HEALTHCHECK`. */
  failureCodes?: ErrorCode[];
}

const elapsedOn = (ports: Ports) => {
  const start = ports.clock.now();
  return () => ports.clock.now() - start;
};

/** Ports that abort `controller` the first time the strategy waits or runs a command. */
function abortingPorts(ports: Ports, controller: AbortController): Ports {
  return {
    ...ports,
    clock: {
      now: () => ports.clock.now(),
      sleep(ms, signal) {
        controller.abort(new Error("contract: abort while waiting"));
        return ports.clock.sleep(ms, signal);
      },
    },
    runner: {
      run(command, args, options) {
        const running = ports.runner.run(command, args, options);
        setImmediate(() => controller.abort(new Error("contract: abort while a command runs")));
        return running;
      },
      spawnDetached: (command, args, options) => ports.runner.spawnDetached(command, args, options),
    },
  };
}

async function withScenario(
  harness: RuntimeHarness,
  kind: "healthy" | "broken" | "hanging",
  check: (s: RuntimeScenario) => Promise<void>,
) {
  const scenario = await harness.setup(kind);
  try {
    await check(scenario);
  } finally {
    await scenario.cleanup?.();
  }
}

/**
 * The cases every runtime strategy must pass, runnable from any test framework:
 * `for (const c of runtimeContractCases(harness)) it(c.name, c.run)`. They cover a successful
 * restart, a failure reported as a `DeployKitError`, the timeout honoured, and an abort honoured
 * (both before the restart and while it waits), each leaving the old release serving.
 */
export function runtimeContractCases(
  harness: RuntimeHarness,
  options: RuntimeContractOptions = {},
): ContractCase[] {
  const graceMs = options.graceMs ?? 15_000;
  const failureCodes = options.failureCodes ?? ["E_RESTART_FAILED", "E_COMMAND_FAILED", "E_HEALTHCHECK"];
  const failsWith = (codes: ErrorCode[]) => (error: unknown) => {
    assert.ok(isDeployKitError(error), `expected a DeployKitError, got ${String(error)}`);
    assert.ok(
      codes.includes(error.code),
      `expected one of ${codes.join(", ")}, got ${error.code}: ${error.message}`,
    );
    return true;
  };
  const cases: [string, () => Promise<void>][] = [
    [
      "restart brings the new release up and reports the strategy's name",
      () =>
        withScenario(harness, "healthy", async (s) => {
          const result = await restart(s.strategy, s.ctx);
          assert.equal(result.strategy, s.strategy.name);
          await s.assertServing?.();
          if (s.strategy.status)
            assert.equal((await s.strategy.status(strategyContext(s.ctx))).running, true);
        }),
    ],
    [
      "a release that fails is reported as a DeployKitError and the old one survives",
      () =>
        withScenario(harness, "broken", async (s) => {
          await assert.rejects(restart(s.strategy, s.ctx), failsWith(failureCodes));
          await s.assertSurvived?.();
        }),
    ],
    [
      "a release that never becomes ready fails within the strategy's timeout",
      () =>
        withScenario(harness, "hanging", async (s) => {
          assert.ok(s.timeoutMs !== undefined, "a hanging scenario must say its timeoutMs");
          const ports = portsOf(s.ctx);
          const elapsed = elapsedOn(ports);
          await assert.rejects(restart(s.strategy, { ...s.ctx, ...ports }), failsWith(failureCodes));
          assert.ok(
            elapsed() <= s.timeoutMs + graceMs,
            `gave up after ${elapsed()} ms, timeout ${s.timeoutMs} ms`,
          );
          await s.assertSurvived?.();
        }),
    ],
    [
      "an abort while the restart waits rejects with E_ABORTED and the old release survives",
      () =>
        withScenario(harness, "hanging", async (s) => {
          const controller = new AbortController();
          const ports = abortingPorts(portsOf(s.ctx), controller);
          const elapsed = elapsedOn(ports);
          const ctx = { ...s.ctx, ...ports, signal: controller.signal };
          await assert.rejects(restart(s.strategy, ctx), failsWith(["E_ABORTED"]));
          assert.ok(controller.signal.aborted, "the strategy never waited nor ran a command");
          assert.ok(elapsed() <= graceMs + (s.timeoutMs ?? 0), `took ${elapsed()} ms to honour the abort`);
          await s.assertSurvived?.();
        }),
    ],
    [
      "a signal aborted before the restart rejects with E_ABORTED and changes nothing",
      () =>
        withScenario(harness, "healthy", async (s) => {
          const controller = new AbortController();
          controller.abort(new Error("contract: aborted up front"));
          const ctx = strategyContext({ ...s.ctx, signal: controller.signal });
          await assert.rejects(async () => s.strategy.restart(ctx), failsWith(["E_ABORTED"]));
          await s.assertSurvived?.();
        }),
    ],
  ];
  return cases.map(([name, run]) => ({ name, run }));
}
