import { bringUpOptions } from "./deploy";
import { type DeployResult, gate, switchTo } from "./gate";
import type { HealthcheckOptions } from "./healthcheck";
import { type HostOptions, planHost } from "./host/plan";
import { chooseRollback } from "./host/rollback-line";
import { withHostLock } from "./host/session";
import { hostRelease } from "./host/state";
import { assertVersion } from "./names";
import type { RuntimeStrategy } from "./strategy";

/** Options for {@link rollback}. */
export interface RollbackOptions extends Omit<HostOptions, "keep"> {
  /**
   * Roll back to this installed version. Default: walk back one release — to the newest one
   * that went live before the live one and did not fail its deploy (see `HostStatus.previous`);
   * a second plain rollback goes further back.
   */
  version?: string;
  /** Restart the app after switching (recommended). */
  strategy?: RuntimeStrategy;
  /** Health gate after the restart; on failure the release that was live is restored. */
  healthcheck?: string | HealthcheckOptions;
  /** Extra environment for the processes the strategy starts. */
  env?: Record<string, string>;
}

/**
 * Switches back to an installed release without the network: from its directory, or unpacked
 * again from the cached artifact. With a strategy it restarts and health-gates like
 * {@link deploy}; if the rolled-back release fails, the one that was live is restored (and the
 * failed one is skipped by later plain rollbacks).
 *
 * Without `version` it walks BACK, as Capistrano's `deploy:rollback` does: to the newest release
 * that went live before the live one (installs in order; a rollback cuts off what it rolled back
 * from), skipping releases whose deploy failed and was rolled back and pruned ones. Run twice, it
 * goes two releases back, not back and forth. `version` switches to any installed release.
 *
 * @example
 * ```ts
 * await rollback({ root: "/srv/web", strategy })   // 1.3.0 live -> 1.2.0
 * await rollback({ root: "/srv/web", strategy })   // -> 1.1.0
 * ```
 * @throws {@link DeployKitError} `E_NO_PREVIOUS_RELEASE` (nothing written) when `version` is not
 * installed or nothing older is left to walk back to (its hint names `--version`);
 * `E_INVALID_VERSION`, `E_LOCKED`, `E_STATE_CORRUPT`, `E_NOT_FOUND` (gone and not cached), and
 * with a strategy `E_RESTART_FAILED` when the restored release does not come up either.
 */
export async function rollback(options: RollbackOptions): Promise<DeployResult> {
  if (options.version !== undefined) assertVersion(options.version);
  const how = bringUpOptions(options);
  const plan = planHost(options);
  const root = plan.host.kind === "local" ? plan.layout.root : `${plan.host.name}:${plan.layout.root}`;
  return withHostLock(plan, "rollback", async (state) => {
    const target = chooseRollback(state, options.version, root);
    const live = hostRelease(state, state.current);
    if (target === state.current && live) return { release: live, rolledBack: false, unchanged: true };
    const restored = await switchTo(plan, state, target, "rollback");
    if (!how) return { release: restored, ...(live ? { previous: live } : {}), rolledBack: false };
    return gate(plan, how, state, restored, live);
  });
}
