import { readlink, stat } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { DeployKitError, isDeployKitError } from "./errors";
import type { HostPlan } from "./host/plan";
import { type HostState, writeState } from "./host/state";
import { switchCurrent } from "./host/switch-current";
import type { HostRelease } from "./strategy";

/**
 * The directory `current` points at while deploykit has made nothing live under the root: a
 * checkout adopted from an older deploy tool (`releases/legacy-<timestamp>`, see
 * `adoptLegacyCurrent`), which serves until a release comes up. `undefined` otherwise, and on a
 * remote host (which never adopts one).
 */
export async function unmanagedCurrent(plan: HostPlan, state: HostState): Promise<string | undefined> {
  if (plan.host.kind !== "local" || state.current !== undefined) return undefined;
  const { layout } = plan;
  const target = await readlink(layout.current).catch(() => undefined);
  if (target === undefined) return undefined;
  const dir = resolve(dirname(layout.current), target);
  if (Object.values(state.releases).some((entry) => resolve(entry.dir) === dir)) return undefined;
  return (await stat(dir).catch(() => undefined))?.isDirectory() ? dir : undefined;
}

/**
 * After the first release failed its restart or health gate over an adopted checkout (see
 * {@link unmanagedCurrent}): points `current` back at the checkout, which served before, and
 * records that no release is live (`state` mutated and written). @returns the error to throw:
 * the failure's code and message, with a hint saying where `current` points.
 */
export async function backToUnmanaged(
  plan: HostPlan,
  state: HostState,
  dir: string,
  failed: HostRelease,
  error: unknown,
): Promise<DeployKitError> {
  const { layout, onEvent } = plan;
  const where = relative(layout.root, dir);
  const message = isDeployKitError(error) ? error.message : String((error as Error)?.message ?? error);
  onEvent?.({
    type: "warning",
    step: "rollback",
    message: `${failed.version} failed (${message}); switching current back to ${where}`,
  });
  await switchCurrent(layout.current, dir);
  delete state.current;
  delete state.previous;
  await writeState(layout.state, state);
  return new DeployKitError(isDeployKitError(error) ? error.code : "E_RESTART_FAILED", message, {
    cause: isDeployKitError(error) && error.cause !== undefined ? error.cause : error,
    hint: `current points at ${where} again (the directory adopted from the older deploy tool, which served before); ${failed.version} did not come up: fix it and deploy again (its log is under shared/log).`,
    details: { ...(isDeployKitError(error) ? error.details : {}), failed: failed.version, live: where },
  });
}
