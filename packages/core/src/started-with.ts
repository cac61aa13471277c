import type { BringUp } from "./bring-up";
import type { HostPlan } from "./host/plan";
import { type HostState, type StartedWith, stateText, writeState } from "./host/state";

/** The JSON record of `how` (see {@link StartedWith}); functions and a RegExp `expectBody` are left out. */
function record(how: BringUp): StartedWith {
  const { strategy, healthcheck } = how;
  const settings = strategy.settings && JSON.parse(JSON.stringify(strategy.settings));
  let check: StartedWith["healthcheck"];
  if (healthcheck) {
    const { expectBody, ...rest } = healthcheck;
    check = typeof expectBody === "string" ? { ...rest, expectBody } : rest;
  }
  return {
    strategy: strategy.name,
    ...(settings ? { settings } : {}),
    ...(check ? { healthcheck: check } : {}),
  };
}

/**
 * Records in the host's state (mutated and written) that `version` came up healthy with `how`.
 * A failure to write is a `warning` event, not a failed deploy: the release serves.
 */
export async function recordStartedWith(
  plan: HostPlan,
  state: HostState,
  version: string,
  how: BringUp,
): Promise<void> {
  const entry = state.releases[version];
  if (!entry) return;
  entry.startedWith = record(how);
  try {
    if (plan.host.kind === "local") await writeState(plan.layout.state, state);
    else await plan.host.writeFile(plan.layout.state, stateText(state));
  } catch (error) {
    plan.onEvent?.({
      type: "warning",
      step: "record",
      message: `${version} serves, but how it was started could not be recorded: ${(error as Error).message}`,
    });
  }
}

/**
 * How to bring `version` up again after the release meant to replace it failed: as it last ran
 * (its recorded strategy settings, through `withSettings`, and its recorded health gate, or none),
 * not with the options of the deploy that failed. Without a record, or when the strategy changed
 * kind or cannot be rebuilt from settings, `how` as given.
 */
export function asItRan(state: HostState, version: string, how: BringUp): BringUp {
  const ran = state.releases[version]?.startedWith;
  if (!ran || ran.strategy !== how.strategy.name) return how;
  const strategy =
    ran.settings && how.strategy.withSettings ? how.strategy.withSettings(ran.settings) : how.strategy;
  return {
    strategy,
    ...(ran.healthcheck ? { healthcheck: ran.healthcheck } : {}),
    ...(how.env ? { env: how.env } : {}),
  };
}
