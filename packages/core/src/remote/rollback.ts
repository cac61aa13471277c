import { join } from "node:path";
import { DeployKitError } from "../errors";
import type { DeployResult } from "../gate";
import type { HostPlan } from "../host/plan";
import { hostRelease, parseState } from "../host/state";
import type { HostRelease } from "../strategy";
import { switchRemote, unpackRemote } from "./install";
import { withRemoteHostLock } from "./session";

/** Says a host connection cannot do `what` yet (restart strategies over SSH come with the runtimes work). */
export function notOverSsh(plan: HostPlan, what: string): DeployKitError {
  return new DeployKitError("E_INVALID_INPUT", `${what} over SSH (${plan.host.name}) is not supported yet.`, {
    hint: "Over SSH, install and rollback without a strategy; restart the app on the server for now.",
    details: { host: plan.host.name },
  });
}

/**
 * {@link rollback} without a strategy on a remote host: back to the previous (or a named)
 * installed release from its directory, or unpacked again from the host's cache: no bytes move.
 */
export async function rollbackRemote(plan: HostPlan, version: string | undefined): Promise<DeployResult> {
  const { host, layout } = plan;
  return withRemoteHostLock(plan, "rollback", async (state) => {
    const target = version ?? state.previous;
    const live = hostRelease(state, state.current);
    const entry = target === undefined ? undefined : state.releases[target];
    if (target === undefined || !entry) {
      throw new DeployKitError(
        "E_NO_PREVIOUS_RELEASE",
        target
          ? `${target} is not installed under ${host.name}:${layout.root}.`
          : `There is no previous release under ${host.name}:${layout.root}.`,
        {
          hint: "`deploykit releases` lists what is installed.",
          details: { host: host.name, root: layout.root, target },
        },
      );
    }
    if (target === state.current && live) return { release: live, rolledBack: false, unchanged: true };
    if ((await host.list(entry.dir)) === undefined) {
      if (!entry.cached) {
        throw new DeployKitError(
          "E_NOT_FOUND",
          `${entry.dir} is gone on ${host.name} and ${target} is not cached.`,
          {
            hint: "Install that version again from the store.",
          },
        );
      }
      await unpackRemote(plan, entry.manifest, join(layout.cache, entry.cached));
    }
    await switchRemote(plan, state, target, "rollback", state.current);
    const release = hostRelease(state, target) as HostRelease;
    return { release, ...(live ? { previous: live } : {}), rolledBack: false };
  });
}

/** Reads a remote host's state in one round trip (no lock: a reader, like `listInstalled`). */
export async function readRemoteState(plan: Pick<HostPlan, "host" | "layout">) {
  const text = await plan.host.readFile(plan.layout.state);
  return parseState(text?.toString(), `${plan.host.name}:${plan.layout.state}`);
}
