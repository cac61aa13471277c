import { dirname, join, relative } from "node:path";
import { remoteFailed } from "../connection/connection-errors";
import { failedStep, type SequenceStep, sequence } from "../connection/remote-commands";
import { DeployKitError } from "../errors";
import type { HostPlan } from "../host/plan";
import { pruneState } from "../host/prune";
import { type HostState, type InstalledEntry, recordLive, stateText } from "../host/state";
import type { LockRelease } from "./session";

/** A {@link sequence} step writing `text` (its bytes next on stdin) to `path` as writeFile does. */
export const writeStep = (path: string, text: string): SequenceStep => [
  "writeFile",
  [path, "644", String(Buffer.byteLength(text))],
];

/** The step unpacking the cached `artifact` as `releases/<version>`, shared dirs linked. */
export function unpackStep(plan: HostPlan, version: string, artifact: string): SequenceStep {
  const { layout } = plan;
  const dir = layout.release(version);
  const links = plan.sharedDirs.flatMap((shared) => [
    shared,
    relative(dirname(join(dir, shared)), join(layout.shared, shared)),
  ]);
  return ["unpackRelease", [artifact, layout.releases, version, layout.shared, ...links]];
}

/**
 * The steps making `version` live: `current` pointed at a `.tgz` release dir (a `.deb` is live
 * once dpkg installed it), the state recording it live (`state` mutated here; its text is
 * `input`), what pruning to `keep` dropped removed, then `release`'s unlock.
 */
export function switchSteps(
  plan: HostPlan,
  state: HostState,
  version: string,
  action: "install" | "rollback" | "auto-rollback",
  release?: LockRelease,
): { steps: SequenceStep[]; input: string; pruned: InstalledEntry[]; tgz: boolean } {
  const { layout } = plan;
  const tgz = state.releases[version]?.manifest.format !== "deb";
  const fallback = state.current;
  recordLive(state, version, action, plan.ports.clock);
  const pruned =
    action === "install" ? pruneState(state, plan.keep, fallback ? { fallback } : {}).removed : [];
  const input = stateText(state);
  const removed = pruned.flatMap(({ manifest }) => [
    layout.release(manifest.version),
    join(layout.cache, manifest.version),
  ]);
  const steps: SequenceStep[] = [
    ...(tgz
      ? [["switchSymlink", [layout.current, relative(layout.root, layout.release(version))]] as const]
      : []),
    writeStep(layout.state, input),
    ...(removed.length > 0 ? [["remove", removed] as const] : []),
    ...(release ? [release.step] : []),
  ];
  return { steps, input, pruned, tgz };
}

/**
 * Runs `steps` as one script (one round trip) with `input` on stdin. A failed unpack is
 * `E_UNSAFE_ARCHIVE`; any other failed step is the host's refusal (`E_PERMISSION`,
 * `E_DISK_FULL`, `E_READ_ONLY`, `E_COMMAND_FAILED`). When `release`'s unlock is the last step,
 * it is marked released once the script got there (a lock no longer ours is not ours to remove).
 */
export async function runSteps(
  plan: HostPlan,
  steps: SequenceStep[],
  input: string,
  release?: LockRelease,
): Promise<void> {
  const { host } = plan;
  const result = await host.exec(sequence(steps), input ? { input } : {});
  const failed = failedStep(result.stderr);
  const last = release !== undefined && steps.at(-1) === release.step;
  if (last && (result.exitCode === 0 || failed.index === steps.length - 1))
    (release as LockRelease).released = true;
  if (result.exitCode === 0 || (last && failed.index === steps.length - 1)) return;
  if (failed.command === "unpackRelease") {
    const artifact = steps[failed.index]?.[1][0];
    throw new DeployKitError(
      "E_UNSAFE_ARCHIVE",
      `Could not unpack ${artifact} on ${host.name}: ${failed.message.trim()}`,
      {
        hint: "The artifact is damaged, or the host's disk is full or not writable.",
        details: { host: host.name, artifact, exitCode: result.exitCode },
      },
    );
  }
  throw remoteFailed(host.name, failed.command ?? "sequence", result.exitCode, failed.message);
}

/** The `prune` event for releases a switch dropped. */
export function prunedEvent(plan: HostPlan, pruned: InstalledEntry[]): void {
  if (pruned.length === 0) return;
  plan.onEvent?.({
    type: "step:finish",
    step: "prune",
    message: `Pruned ${pruned.map((e) => e.manifest.version).join(", ")} on ${plan.host.name}`,
    durationMs: 0,
  });
}
