import { join } from "node:path";
import { DeployKitError } from "../errors";
import type { HostPlan } from "../host/plan";
import { type HostState, parseState } from "../host/state";
import type { HostRelease } from "../strategy";
import { activateRemote, switchRemote } from "./install";

/**
 * `switchTo` on a remote host: makes the installed release `version` live again without moving
 * bytes, from its directory, or unpacked again from the host's cache when the directory is gone;
 * then switches `current` and records it live (state mutated and written).
 * @throws `E_NOT_FOUND` when it was never installed, or is gone and not cached.
 */
export async function switchToRemote(
  plan: HostPlan,
  state: HostState,
  version: string,
  action: "rollback" | "auto-rollback",
): Promise<HostRelease> {
  const { host, layout } = plan;
  const entry = state.releases[version];
  if (!entry) {
    throw new DeployKitError(
      "E_NOT_FOUND",
      `${version} was never installed under ${host.name}:${layout.root}.`,
      {
        hint: "Install it from the store instead (deploykit install --version ...).",
      },
    );
  }
  // A .deb is reinstalled from the cache (dpkg downgrades in place); a .tgz dir is reused.
  const deb = entry.manifest.format === "deb";
  if (deb || (await host.list(entry.dir)) === undefined) {
    if (!entry.cached) {
      throw new DeployKitError(
        "E_NOT_FOUND",
        `${entry.dir} is gone on ${host.name} and ${version} is not cached.`,
        {
          hint: "Install that version again from the store.",
        },
      );
    }
    await activateRemote(plan, entry.manifest, join(layout.cache, entry.cached));
  }
  await switchRemote(plan, state, version, action);
  return { version, dir: entry.dir, manifest: entry.manifest };
}

/** Reads a remote host's state in one round trip (no lock: a reader, like `listInstalled`). */
export async function readRemoteState(plan: Pick<HostPlan, "host" | "layout">) {
  const text = await plan.host.readFile(plan.layout.state);
  return parseState(text?.toString(), `${plan.host.name}:${plan.layout.state}`);
}
