import { assertVersion } from "@deploykit/core";
import { type FleetOperationOptions, fleetPlan } from "./deploy-fleet";
import { runRollout } from "./engine";
import { type HostDeploySettings, hostDeployStep } from "./host-step";
import type { FleetResult } from "./result";

/** Options for {@link rollbackFleet}. */
export interface RollbackFleetOptions
  extends Omit<FleetOperationOptions, "onFailure">,
    Pick<HostDeploySettings, "strategy" | "lockTimeoutMs"> {
  /**
   * Roll every host back to this installed version. Default: each host walks one release back,
   * as core's `rollback()` without a version does (its `previous`; a second run goes further back).
   */
  version?: string;
}

/**
 * Rolls the hosts of an inventory (or a role) back, in batches, with core's `rollback()` on each
 * (no network: from the host's release dirs or cache); with a strategy each host restarts and
 * health-gates. A failure counts against `maxFailures`; once it is exceeded no new host starts
 * (nothing is undone: the hosts already rolled back stay so). Outcomes: `rolled-back`,
 * `unchanged` (already on that version), `failed` (`E_NO_PREVIOUS_RELEASE`, `E_HOST_UNREACHABLE`...),
 * `skipped`.
 * @throws `DeployKitError` `E_INVALID_INPUT`, `E_INVALID_VERSION` before any host is touched.
 */
export async function rollbackFleet(options: RollbackFleetOptions): Promise<FleetResult> {
  if (options.version !== undefined) assertVersion(options.version);
  const plan = fleetPlan({ ...options, onFailure: "halt" });
  return runRollout({
    ...plan,
    action: "rollback",
    ...(options.version !== undefined ? { version: options.version } : {}),
    step: options.step ?? hostDeployStep(options),
  });
}
