import type { BringUp } from "./bring-up";
import { DeployKitError, isDeployKitError } from "./errors";
import { type DeployResult, gate, undoSwitch } from "./gate";
import { type HealthcheckOptions, healthcheckOptions } from "./healthcheck";
import { planHost } from "./host/plan";
import { withHostLock } from "./host/session";
import { type InstallOptions, installLocked } from "./install";
import { backToUnmanaged, unmanagedCurrent } from "./legacy-fallback";
import { liveButDown } from "./live-down";
import { preflightHook } from "./preflight";
import { assertSelector, resolveSelected } from "./resolve-release";
import type { RuntimeStrategy } from "./strategy";
import { assertTransfer } from "./transfer";

/** Options for {@link deploy}: an install plus how to restart and check the app. */
export interface DeployOptions extends InstallOptions {
  /** How the app is restarted (from `@deploykit/runtimes`, or your own). */
  strategy: RuntimeStrategy;
  /** Health gate after the restart: a URL or options. Without it the strategy's own check is used, if any. */
  healthcheck?: string | HealthcheckOptions;
  /** Extra environment for the processes the strategy starts. */
  env?: Record<string, string>;
  /**
   * Restart (and health-check) the app even when the requested release is already live.
   * Default false: deploying the live version changes nothing and restarts nothing — unless the
   * strategy's `status` sees none of its processes running (a deploy cut during its restart):
   * then it is started again, with a `warning` event.
   */
  restartUnchanged?: boolean;
}

/** Checks the strategy and health gate options; shared by deploy and rollback. */
export function bringUpOptions(options: {
  strategy?: RuntimeStrategy;
  healthcheck?: string | HealthcheckOptions;
  env?: Record<string, string>;
}): BringUp | undefined {
  if (!options.strategy) {
    if (options.healthcheck !== undefined) {
      throw new DeployKitError(
        "E_INVALID_INPUT",
        "A healthcheck needs a strategy to restart the app first.",
        {
          hint: "Pass a strategy, or drop the healthcheck.",
        },
      );
    }
    return undefined;
  }
  if (typeof options.strategy.restart !== "function") {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      "strategy must be a RuntimeStrategy with a restart() method.",
      {
        hint: "Use one from @deploykit/runtimes or defineStrategy().",
      },
    );
  }
  return {
    strategy: options.strategy,
    ...(options.healthcheck !== undefined ? { healthcheck: healthcheckOptions(options.healthcheck) } : {}),
    ...(options.env ? { env: options.env } : {}),
  };
}

/**
 * Installs a release, restarts the app with the strategy and waits for the health gate. When the
 * restart or the gate fails, `current` is switched back, the old release is restarted, and the
 * result says `rolledBack: true` with the cause. Holds the root's deploy lock throughout. The
 * first release over a checkout adopted from an older deploy tool (`adoptLegacyCurrent`) goes
 * back to that checkout instead: `current` points at `releases/legacy-<timestamp>` again, no
 * release is recorded live, and the failure is thrown with a hint saying so.
 *
 * @example
 * ```ts
 * const result = await deploy({ store, app: "web", version: "1.3.0", root: "/srv/web",
 *   strategy: processStrategy({ name: "web" }), healthcheck: "http://127.0.0.1:3000/health" })
 * if (result.rolledBack) console.error(result.cause?.message)
 * ```
 *
 * Before `current` moves, the strategy's `preflight` (when it has one) checks that the restart
 * can work; when it throws (e.g. `E_PORT_IN_USE`), nothing is switched or restarted.
 *
 * On another server: pass `host: sshHost({ host, user?, port?, identityFile?, sshConfig? })`
 * (one multiplexed OpenSSH connection; `root` is the server's absolute path, the release a
 * `.tgz`). The artifact is streamed to the server, the strategy runs its commands, signals and
 * pid files there, and the health URL is probed from the server's side (so
 * `http://127.0.0.1:3000/health` is the server's loopback). The same connection can serve many
 * deploys; close it when done:
 * ```ts
 * const host = sshHost({ host: "web1.example", user: "deploy" })
 * try { await deploy({ store, app: "web", channel: "production", root: "/srv/web", host, strategy }) }
 * finally { await host.close() }
 * ```
 *
 * An abort (`signal`, e.g. the CLI's SIGINT) after the switch but before the restart switches
 * `current` back (the old release still runs). A restart once begun is never cut in half: an
 * abort during it or the health gate waits for the restart to finish, then keeps the new release
 * if it serves (its health URL answers, else the strategy's check or status says so), or else
 * switches `current` back and restarts the old one. Either way `E_ABORTED`, whose hint names the
 * release `current` points at and what was seen running.
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  assertSelector(options);
  const plan = planHost(options);
  assertTransfer(options.transfer, plan.host, options.store);
  const how = bringUpOptions(options);
  if (!how)
    throw new DeployKitError("E_INVALID_INPUT", "deploy needs a strategy.", {
      hint: "Use install() to only install.",
    });
  // Resolved (and its signatures checked) before the lock: a failure writes nothing on the host.
  const resolved = await resolveSelected(options.store, options);
  return withHostLock(plan, `deploy ${options.app}`, async (state) => {
    const legacy = await unmanagedCurrent(plan, state);
    const installed = await installLocked(plan, options, state, resolved, preflightHook(plan, how));
    const startAnyway =
      options.restartUnchanged === true ||
      (installed.unchanged && (await liveButDown(plan, how, installed.release)));
    if (installed.unchanged && !startAnyway) {
      const { release, previous } = installed;
      return { release, ...(previous ? { previous } : {}), rolledBack: false, unchanged: true };
    }
    const fallback = installed.unchanged ? undefined : installed.previous;
    if (plan.signal?.aborted && fallback) await undoSwitch(plan, state, fallback);
    const result = await gate(plan, how, state, installed.release, fallback).catch(async (error: unknown) => {
      // The first release over an adopted checkout: that checkout is what served before.
      if (!legacy || fallback || installed.unchanged || isDeployKitError(error, "E_ABORTED")) throw error;
      throw await backToUnmanaged(plan, state, legacy, installed.release, error);
    });
    return installed.unchanged ? { ...result, unchanged: true } : result;
  });
}
