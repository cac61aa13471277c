import { DeployKitError } from "./errors";
import { type HostOptions, type HostPlan, planHost } from "./host/plan";
import { withHostLock } from "./host/session";
import { type HostState, hostRelease, liveBefore, readState } from "./host/state";
import { readRemoteState } from "./remote/rollback";
import { restart } from "./restart";
import type { HostRelease, RestartResult, RuntimeStrategy } from "./strategy";

/** Options for {@link restartLive}. */
export interface RestartLiveOptions extends Omit<HostOptions, "keep" | "sharedDirs" | "adoptLegacyCurrent"> {
  /** How the app is restarted. */
  strategy: RuntimeStrategy;
  /** Extra environment for the processes the strategy starts. */
  env?: Record<string, string>;
}

/** What {@link restartLive} did: the strategy's report and the release it restarted. */
export interface RestartLiveResult extends RestartResult {
  /** The app restarted. */
  app: string;
  /** The live version that was restarted. */
  version: string;
}

/** The live release. @throws `E_NOT_FOUND` when nothing is live. */
function liveOrRefuse(plan: HostPlan, state: HostState): HostRelease {
  const release = hostRelease(state, state.current);
  if (!release) {
    throw new DeployKitError("E_NOT_FOUND", `No release is live under ${plan.layout.root}.`, {
      hint: "Install or deploy one first (deploykit deploy ...).",
      details: { root: plan.layout.root },
    });
  }
  return release;
}

/**
 * Restarts the live release under a host root with a strategy, holding the root's deploy lock
 * (so it never runs in the middle of an install, deploy or rollback): refuses with `E_LOCKED`,
 * or waits up to `lockTimeoutMs`. Nothing is installed or switched.
 *
 * @throws {@link DeployKitError} `E_NOT_FOUND` when nothing is live, `E_LOCKED`,
 * `E_RESTART_FAILED`, `E_ABORTED`.
 */
export async function restartLive(options: RestartLiveOptions): Promise<RestartLiveResult> {
  const plan = planHost(options);
  // Looked at without the lock first: with nothing live, the lock would create the root for nothing.
  const seen = plan.host.kind === "local" ? await readState(plan.layout.state) : await readRemoteState(plan);
  liveOrRefuse(plan, seen);
  return withHostLock(plan, "restart", async (state) => {
    const release = liveOrRefuse(plan, state);
    const previous = liveBefore(state);
    const result = await restart(options.strategy, {
      host: plan.host,
      app: release.manifest.app,
      root: plan.layout.root,
      release,
      ...(previous ? { previous } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...plan.ports,
      ...(plan.onEvent ? { onEvent: plan.onEvent } : {}),
      ...(plan.signal ? { signal: plan.signal } : {}),
    });
    return { ...result, app: release.manifest.app, version: release.version };
  });
}
