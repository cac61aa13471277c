import type { BringUp } from "./bring-up";
import { contextFor } from "./gate";
import type { HostPlan } from "./host/plan";
import { strategyContext } from "./restart";
import type { HostRelease } from "./strategy";

/**
 * deploy()'s check when the requested release is already live: is it running? A deploy cut
 * during its restart (a double Ctrl-C, a killed CI job) can leave `current` on a release whose
 * processes are gone; answering "unchanged" then would report success for a dead app. With a
 * strategy that has `status`, a live release whose processes are not running is started again
 * (the `restart` step and health gate of a normal deploy), with a `warning` event saying why.
 * Without `status`, or when it cannot tell, the release counts as running.
 */
export async function liveButDown(plan: HostPlan, how: BringUp, live: HostRelease): Promise<boolean> {
  const status = how.strategy.status?.bind(how.strategy);
  if (!status) return false;
  const seen = await status(strategyContext(contextFor(plan, how, live))).catch(() => undefined);
  if (!seen || seen.running) return false;
  plan.onEvent?.({
    type: "warning",
    step: "restart",
    message: `${live.manifest.app} ${live.version} is live but ${how.strategy.name} sees none of its processes running (an interrupted deploy?): starting it.`,
  });
  return true;
}
