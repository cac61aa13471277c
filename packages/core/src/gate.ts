import { DeployKitError, isDeployKitError } from "./errors";
import { step } from "./events";
import { type HealthcheckOptions, waitHealthy } from "./healthcheck";
import { makeLive, reactivate } from "./host/activate";
import type { HostPlan } from "./host/plan";
import { type HostState, recordLive, writeState } from "./host/state";
import { restart, strategyContext } from "./restart";
import type { HostRelease, RestartResult, RuntimeStrategy } from "./strategy";

/** What deploy() and rollback() report. */
export interface DeployResult {
  /** The release live at the end. */
  release: HostRelease;
  /** The release live before (after an automatic rollback: the release that failed). */
  previous?: HostRelease;
  /** True when the new release failed its restart or health gate and the old one was restored. */
  rolledBack: boolean;
  /** Why the new release was rolled back. */
  cause?: DeployKitError;
  /** The strategy's report of the last successful restart. */
  restart?: RestartResult;
  /** True when the requested release was already live and nothing was switched. */
  unchanged?: boolean;
}

/** How to bring a release up: the strategy, its health gate and extra env. */
export interface BringUp {
  strategy: RuntimeStrategy;
  healthcheck?: HealthcheckOptions;
  env?: Record<string, string>;
}

/** Restarts `live` with the strategy, then waits for the health gate (URL, else the strategy's own check). */
async function bringUp(
  plan: HostPlan,
  how: BringUp,
  live: HostRelease,
  previous?: HostRelease,
): Promise<RestartResult> {
  const { ports, layout, onEvent, signal } = plan;
  const ctx = {
    app: live.manifest.app,
    root: layout.root,
    release: live,
    ...(previous ? { previous } : {}),
    ...(how.env ? { env: how.env } : {}),
    ...ports,
    ...(onEvent ? { onEvent } : {}),
    ...(signal ? { signal } : {}),
  };
  const result = await restart(how.strategy, ctx);
  const { healthcheck } = how;
  if (healthcheck) {
    const status = how.strategy.status?.bind(how.strategy);
    // Early exit: an app the strategy reports stopped ends the wait instead of the timeout.
    const stopped = status
      ? async () => {
          const seen = await status(strategyContext(ctx)).catch(() => undefined);
          return seen?.running === false ? `${how.strategy.name} reports the app is not running` : undefined;
        }
      : undefined;
    await step(onEvent, "healthcheck", `Waiting for ${healthcheck.url}`, () =>
      waitHealthy(healthcheck, ports.probe, ports.clock, onEvent, signal, stopped),
    );
  } else if (how.strategy.healthcheck) {
    const check = how.strategy.healthcheck.bind(how.strategy);
    await step(onEvent, "healthcheck", `Checking ${how.strategy.name} health`, () =>
      check(strategyContext(ctx)),
    );
  }
  return result;
}

/**
 * Makes an installed release live again (see {@link reactivate}) and records the switch in the state (mutated and written) with
 * `previous` as the new previous release.
 */
export async function switchTo(
  plan: HostPlan,
  state: HostState,
  version: string,
  action: "rollback" | "auto-rollback",
  previous: string | undefined,
): Promise<HostRelease> {
  const entry = state.releases[version];
  if (!entry) {
    throw new DeployKitError("E_NOT_FOUND", `${version} was never installed under ${plan.layout.root}.`, {
      hint: "Install it from the store instead (deploykit install --version ...).",
    });
  }
  const dir = await reactivate(plan, entry);
  await makeLive(plan, entry.manifest, dir);
  recordLive(state, version, action, previous, plan.ports.clock);
  await writeState(plan.layout.state, state);
  return { version, dir, manifest: entry.manifest };
}

/**
 * Switches back to `fallback` after an abort that came before the new release was restarted
 * (the old one still runs, so `current` must name it again), then throws `E_ABORTED`.
 */
export async function undoSwitch(
  plan: HostPlan,
  state: HostState,
  fallback: HostRelease,
  fallbackPrevious: string | undefined,
): Promise<never> {
  await switchTo(plan, state, fallback.version, "rollback", fallbackPrevious);
  throw new DeployKitError("E_ABORTED", "The deploy was aborted before the restart.", {
    cause: plan.signal?.reason,
    hint: `current points at ${fallback.version} again, which still runs; run the deploy again when ready.`,
  });
}

/**
 * Brings `live` up behind the health gate. When that fails and a `fallback` exists, switches
 * back to it, brings it up again, and reports `rolledBack: true` with the cause.
 */
export async function gate(
  plan: HostPlan,
  how: BringUp,
  state: HostState,
  live: HostRelease,
  fallback: HostRelease | undefined,
  fallbackPrevious: string | undefined,
): Promise<DeployResult> {
  try {
    const result = await bringUp(plan, how, live, fallback);
    return { release: live, ...(fallback ? { previous: fallback } : {}), rolledBack: false, restart: result };
  } catch (error) {
    if (plan.signal?.aborted) {
      throw new DeployKitError("E_ABORTED", `The ${live.version} restart or health gate was aborted.`, {
        cause: error,
        hint: `current points at ${live.version}, which the strategy started; its health was not confirmed: check it, or run deploykit rollback.`,
        details: { live: live.version },
      });
    }
    if (!fallback || isDeployKitError(error, "E_ABORTED")) throw error;
    const cause = isDeployKitError(error)
      ? error
      : new DeployKitError("E_RESTART_FAILED", String((error as Error)?.message ?? error), { cause: error });
    plan.onEvent?.({
      type: "warning",
      step: "rollback",
      message: `${live.version} failed (${cause.message}); rolling back to ${fallback.version}`,
    });
    const restored = await switchTo(plan, state, fallback.version, "auto-rollback", fallbackPrevious);
    try {
      const result = await bringUp(plan, how, restored, live);
      return { release: restored, previous: live, rolledBack: true, cause, restart: result };
    } catch (second) {
      throw new DeployKitError(
        "E_RESTART_FAILED",
        `${live.version} failed and the rolled-back ${fallback.version} did not come up either: ${(second as Error).message}`,
        {
          cause: second,
          hint: "current points at the old release again; check the app's logs and restart it by hand.",
          details: { failed: live.version, restored: fallback.version, firstCause: cause.toJSON() },
        },
      );
    }
  }
}
