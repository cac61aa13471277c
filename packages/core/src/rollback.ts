import { bringUpOptions } from "./deploy";
import { DeployKitError } from "./errors";
import { type DeployResult, gate, switchTo } from "./gate";
import type { HealthcheckOptions } from "./healthcheck";
import { type HostOptions, planHost } from "./host/plan";
import { withHostLock } from "./host/session";
import { hostRelease } from "./host/state";
import { assertVersion } from "./names";
import type { RuntimeStrategy } from "./strategy";

/** Options for {@link rollback}. */
export interface RollbackOptions extends Omit<HostOptions, "keep"> {
  /** Roll back to this installed version (default: the previous release). */
  version?: string;
  /** Restart the app after switching (recommended). */
  strategy?: RuntimeStrategy;
  /** Health gate after the restart; on failure the release that was live is restored. */
  healthcheck?: string | HealthcheckOptions;
  /** Extra environment for the processes the strategy starts. */
  env?: Record<string, string>;
}

/**
 * Switches back to the previous release (or a named installed one) without the network:
 * from its directory, or unpacked again from the cached artifact. With a strategy it restarts
 * and health-gates like {@link deploy}; if the rolled-back release fails, the one that was live
 * is restored.
 */
export async function rollback(options: RollbackOptions): Promise<DeployResult> {
  if (options.version !== undefined) assertVersion(options.version);
  const how = bringUpOptions(options);
  const plan = planHost(options);
  const root = plan.host.kind === "local" ? plan.layout.root : `${plan.host.name}:${plan.layout.root}`;
  return withHostLock(plan, "rollback", async (state) => {
    const target = options.version ?? state.previous;
    const live = hostRelease(state, state.current);
    if (target === undefined || !state.releases[target]) {
      throw new DeployKitError(
        "E_NO_PREVIOUS_RELEASE",
        target ? `${target} is not installed under ${root}.` : `There is no previous release under ${root}.`,
        {
          hint: "`deploykit releases` lists what is installed.",
          details: { root: plan.layout.root, host: plan.host.name, target },
        },
      );
    }
    if (target === state.current && live) return { release: live, rolledBack: false, unchanged: true };
    const previousBefore = state.previous;
    const restored = await switchTo(plan, state, target, "rollback", state.current);
    if (!how) return { release: restored, ...(live ? { previous: live } : {}), rolledBack: false };
    return gate(plan, how, state, restored, live, previousBefore);
  });
}
