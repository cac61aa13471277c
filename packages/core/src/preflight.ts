import type { BringUp } from "./bring-up";
import { step } from "./events";
import { contextFor } from "./gate";
import type { HostPlan } from "./host/plan";
import { strategyContext } from "./restart";
import type { HostRelease } from "./strategy";

/**
 * deploy()'s check before `current` moves to an unpacked release: the strategy's `preflight`
 * (e.g. the process strategy's "is the port free or ours"), as the `preflight` step. Undefined
 * when the strategy has none.
 */
export function preflightHook(
  plan: HostPlan,
  how: BringUp,
): ((release: HostRelease, previous: HostRelease | undefined) => Promise<void>) | undefined {
  const check = how.strategy.preflight?.bind(how.strategy);
  if (!check) return undefined;
  return (release, previous) =>
    step(plan.onEvent, "preflight", `Checking that ${how.strategy.name} can start ${release.version}`, () =>
      check(strategyContext(contextFor(plan, how, release, previous))),
    );
}
