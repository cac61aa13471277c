import type { BringUp } from "./bring-up";
import { portOwnersOn } from "./connection/process-owners";
import { DeployKitError, isDeployKitError } from "./errors";
import { step } from "./events";
import { type HealthcheckOptions, probeHealth, waitHealthy } from "./healthcheck";
import { makeLive, reactivate } from "./host/activate";
import type { HostPlan } from "./host/plan";
import { type HostState, recordLive, writeState } from "./host/state";
import { releaseVerifier } from "./release-answer";
import { switchToRemote } from "./remote/rollback";
import { restart, strategyContext } from "./restart";
import { asItRan, recordStartedWith } from "./started-with";
import type { HostRelease, RestartContext, RestartResult } from "./strategy";

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

/**
 * The strategy's context for bringing `live` up, with the plan's ports, events and abort signal;
 * the health gate's `timeoutMs`, when the user gave one, bounds the strategy's own wait for the
 * release to come up (`readyTimeoutMs`).
 */
export function contextFor(
  plan: HostPlan,
  how: BringUp,
  live: HostRelease,
  previous?: HostRelease,
): RestartContext {
  const { ports, layout, onEvent, signal } = plan;
  const readyTimeoutMs = how.healthcheck?.timeoutMs;
  return {
    host: plan.host,
    app: live.manifest.app,
    root: layout.root,
    release: live,
    ...(previous ? { previous } : {}),
    ...(how.env ? { env: how.env } : {}),
    ...(readyTimeoutMs === undefined ? {} : { readyTimeoutMs }),
    ...ports,
    ...(onEvent ? { onEvent } : {}),
    ...(signal ? { signal } : {}),
  };
}

/**
 * Restarts with the strategy, shielded from the abort signal: a restart once begun is never cut
 * in half (a stopped old process and a killed new one would leave nothing running); the abort is
 * honoured after it, by {@link settleAbort}.
 */
function restartShielded(how: BringUp, ctx: RestartContext): Promise<RestartResult> {
  const { signal: _shielded, ...unsignalled } = ctx;
  return restart(how.strategy, unsignalled);
}

/**
 * Waits for the health gate (URL, else the strategy's own check); stops on the abort signal. The
 * URL's answers must come from `ctx.release` (see {@link releaseVerifier}) unless the operator
 * turned `verifyRelease` off; `installed` are the root's releases.
 */
async function healthGate(
  plan: HostPlan,
  how: BringUp,
  ctx: RestartContext,
  installed: string[],
): Promise<void> {
  const { ports, onEvent, signal } = plan;
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
      waitHealthy(
        healthcheck,
        ports.probe,
        ports.clock,
        onEvent,
        signal,
        stopped,
        verifier(plan, healthcheck, ctx, installed),
      ),
    );
  } else if (how.strategy.healthcheck) {
    const check = how.strategy.healthcheck.bind(how.strategy);
    await step(onEvent, "healthcheck", `Checking ${how.strategy.name} health`, () =>
      check(strategyContext(ctx)),
    );
    const url = how.strategy.healthcheckUrl;
    // The strategy's check passed; its URL must also be answered by the new release (2 s to show it).
    const verify = url === undefined ? undefined : verifier(plan, { url }, ctx, installed);
    if (url !== undefined && verify)
      await step(onEvent, "healthcheck", `Checking that ${url} answers ${ctx.release.version}`, () =>
        waitHealthy({ url, timeoutMs: 2_000 }, ports.probe, ports.clock, onEvent, signal, undefined, verify),
      );
  }
}

/** The gate's check that the new release is what answers, unless turned off. */
function verifier(plan: HostPlan, check: HealthcheckOptions, ctx: RestartContext, installed: string[]) {
  if (check.verifyRelease === false) return undefined;
  return releaseVerifier({
    version: ctx.release.version,
    others: installed.filter((version) => version !== ctx.release.version),
    root: plan.layout.root,
    url: check.url,
    ...(check.versionHeader ? { header: check.versionHeader } : {}),
    local: plan.host.kind === "local",
    owners: (port) => portOwnersOn(plan.host, port),
  });
}

/** Restarts `live` with the strategy (shielded), then waits for the health gate. */
async function bringUp(
  plan: HostPlan,
  how: BringUp,
  live: HostRelease,
  previous: HostRelease | undefined,
  installed: string[],
): Promise<RestartResult> {
  const ctx = contextFor(plan, how, live, previous);
  const result = await restartShielded(how, ctx);
  await healthGate(plan, how, ctx, installed);
  return result;
}

/**
 * Looks once, without waiting and without the abort signal, at whether `live` serves now: the
 * health URL answers (2xx, expected body), else the strategy's own check passes, else its status
 * says running. `serving: undefined` when the strategy offers no way to tell. `seen` says what
 * was observed, for messages.
 */
async function servingNow(
  plan: HostPlan,
  how: BringUp,
  live: HostRelease,
): Promise<{ serving: boolean | undefined; seen: string }> {
  const { signal: _shielded, ...ctx } = contextFor(plan, how, live);
  const full = strategyContext(ctx);
  const { healthcheck } = how;
  if (healthcheck) {
    const { url, requestTimeoutMs, expectBody } = healthcheck;
    const outcome = await probeHealth(plan.ports.probe, url, {
      ...(requestTimeoutMs === undefined ? {} : { timeoutMs: requestTimeoutMs }),
      ...(expectBody === undefined ? {} : { expectBody }),
    });
    const seen =
      outcome.status === undefined
        ? `${url} does not answer (${outcome.seen})`
        : `${url} answers ${outcome.seen}`;
    return { serving: outcome.ok, seen };
  }
  if (how.strategy.healthcheck) {
    const check = how.strategy.healthcheck.bind(how.strategy);
    return check(full).then(
      () => ({ serving: true, seen: `${how.strategy.name}'s health check passes` }),
      (error: unknown) => ({
        serving: false,
        seen: `${how.strategy.name}'s health check fails: ${(error as Error)?.message ?? error}`,
      }),
    );
  }
  if (how.strategy.status) {
    const status = await how.strategy.status(full).catch(() => undefined);
    if (status?.running === true) {
      const pids = status.pids?.length ? ` (pids ${status.pids.join(", ")})` : "";
      return { serving: true, seen: `${how.strategy.name} reports it running${pids}` };
    }
    if (status?.running === false)
      return { serving: false, seen: `${how.strategy.name} reports it not running` };
  }
  return { serving: undefined, seen: `${how.strategy.name} cannot tell whether it runs` };
}

/**
 * Honours an abort that came during the restart or the health gate of `live`, once the restart
 * has finished: keeps `live` when it serves (or when the strategy cannot tell and its restart
 * succeeded), else switches `current` back to `fallback` and restarts it. Always throws
 * `E_ABORTED`, whose message says which release `current` names and what was seen running.
 */
async function settleAbort(
  plan: HostPlan,
  how: BringUp,
  state: HostState,
  live: HostRelease,
  restarted: boolean,
  fallback: HostRelease | undefined,
  cause: unknown,
): Promise<never> {
  const now = await servingNow(plan, how, live);
  const keep = now.serving === true || (now.serving === undefined && restarted);
  if (keep || !fallback) {
    throw new DeployKitError(
      "E_ABORTED",
      `The ${live.version} deploy was aborted after its restart; ${live.version} was kept.`,
      {
        cause,
        hint: keep
          ? `current points at ${live.version}, which runs: ${now.seen}.`
          : `current points at ${live.version}, which does not serve (${now.seen}) and there is no release to go back to: check its log under shared/log.`,
        details: {
          live: live.version,
          previous: fallback?.version ?? null,
          serving: now.serving ?? null,
          seen: now.seen,
        },
      },
    );
  }
  const restored = await switchTo(plan, state, fallback.version, "auto-rollback");
  const again = asItRan(state, restored.version, how);
  const restart = await restartShielded(again, contextFor(plan, again, restored, live)).then(
    () => undefined,
    (error: unknown) => error,
  );
  const back = await servingNow(plan, again, restored);
  throw new DeployKitError(
    "E_ABORTED",
    `The ${live.version} deploy was aborted; ${live.version} did not serve (${now.seen}), so current was switched back to ${restored.version}.`,
    {
      cause: restart ?? cause,
      hint:
        back.serving === false || restart
          ? `current points at ${restored.version}, which did not come back up (${restart ? (restart as Error).message : back.seen}): check its log under shared/log.`
          : `current points at ${restored.version}, which runs: ${back.seen}.`,
      details: {
        live: restored.version,
        abandoned: live.version,
        serving: back.serving ?? null,
        seen: back.seen,
      },
    },
  );
}

/**
 * Makes an installed release live again (see {@link reactivate}; on a remote host
 * {@link switchToRemote}) and records the switch in the state (mutated and written; see
 * {@link recordLive} for the `previous` it names).
 */
export async function switchTo(
  plan: HostPlan,
  state: HostState,
  version: string,
  action: "rollback" | "auto-rollback",
): Promise<HostRelease> {
  if (plan.host.kind !== "local") return switchToRemote(plan, state, version, action);
  const entry = state.releases[version];
  if (!entry) {
    throw new DeployKitError("E_NOT_FOUND", `${version} was never installed under ${plan.layout.root}.`, {
      hint: "Install it from the store instead (deploykit install --version ...).",
    });
  }
  const dir = await reactivate(plan, entry);
  await makeLive(plan, entry.manifest, dir);
  recordLive(state, version, action, plan.ports.clock);
  await writeState(plan.layout.state, state);
  return { version, dir, manifest: entry.manifest };
}

/**
 * Switches back to `fallback` after an abort that came before the new release was restarted
 * (the old one still runs, so `current` must name it again), then throws `E_ABORTED`.
 */
export async function undoSwitch(plan: HostPlan, state: HostState, fallback: HostRelease): Promise<never> {
  await switchTo(plan, state, fallback.version, "rollback");
  throw new DeployKitError("E_ABORTED", "The deploy was aborted before the restart.", {
    cause: plan.signal?.reason,
    hint: `current points at ${fallback.version} again, which still runs; run the deploy again when ready.`,
  });
}

/**
 * The failure of a release with nothing to go back to (the root's first): its hint says that
 * `current` names it and nothing serves instead of a strategy's "the previous release keeps
 * serving".
 */
function firstReleaseFailed(live: HostRelease, error: unknown): DeployKitError {
  const hint = `current points at ${live.version}, which did not come up; there is no earlier release to go back to: fix it and deploy again (its log is under shared/log).`;
  if (!isDeployKitError(error))
    return new DeployKitError("E_RESTART_FAILED", String((error as Error)?.message ?? error), {
      cause: error,
      hint,
    });
  return new DeployKitError(error.code, error.message, {
    ...(error.cause === undefined ? {} : { cause: error.cause }),
    hint,
    details: error.details,
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
): Promise<DeployResult> {
  const ctx = contextFor(plan, how, live, fallback);
  let restarted = false;
  let result: RestartResult;
  try {
    result = await restartShielded(how, ctx);
    restarted = true;
    await healthGate(plan, how, ctx, Object.keys(state.releases));
  } catch (error) {
    if (plan.signal?.aborted) {
      return settleAbort(plan, how, state, live, restarted, fallback, error);
    }
    if (isDeployKitError(error, "E_ABORTED")) throw error;
    if (!fallback) throw firstReleaseFailed(live, error);
    const cause = isDeployKitError(error)
      ? error
      : new DeployKitError("E_RESTART_FAILED", String((error as Error)?.message ?? error), { cause: error });
    plan.onEvent?.({
      type: "warning",
      step: "rollback",
      message: `${live.version} failed (${cause.message}); rolling back to ${fallback.version}`,
    });
    const restored = await switchTo(plan, state, fallback.version, "auto-rollback");
    const again = asItRan(state, restored.version, how);
    try {
      const result = await bringUp(plan, again, restored, live, Object.keys(state.releases));
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
  await recordStartedWith(plan, state, live.version, how);
  return { release: live, ...(fallback ? { previous: fallback } : {}), rolledBack: false, restart: result };
}
