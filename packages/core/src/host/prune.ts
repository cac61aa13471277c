import { randomUUID } from "node:crypto";
import { realpath, rename, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import type { EventSink } from "../events";
import { describeInUse, pathsHeldUnder, releasesInUse } from "./in-use";
import type { HostLayout } from "./layout";
import { failedReleases } from "./rollback-line";
import type { HostState, InstalledEntry } from "./state";

/**
 * Pure decision: the versions pruning removes, the oldest beyond `keep`; never the live one, the
 * previous one, nor one in `held` (a release a live process still uses: it does not count
 * towards `keep` either, and is pruned on a later run once free). A release whose deploy failed
 * (see {@link failedReleases}) does not count towards `keep` and is removed (Capistrano removes
 * a failed release on rollback): `keep` counts releases one can roll back to.
 */
export function pruneCandidates(
  state: HostState,
  keep: number,
  held: ReadonlySet<string> = new Set(),
): string[] {
  const newestFirst = Object.entries(state.releases).sort(([, a], [, b]) =>
    b.installedAt.localeCompare(a.installedAt),
  );
  const protectedVersions = new Set([state.current, state.previous]);
  const failed = failedReleases(state);
  const candidates: string[] = [];
  let kept = 0;
  for (const [version] of newestFirst) {
    if (held.has(version)) continue;
    if (protectedVersions.has(version)) kept++;
    else if (failed.has(version)) candidates.push(version);
    else if (kept < keep) kept++;
    else candidates.push(version);
  }
  return candidates;
}

/**
 * Picks the releases {@link pruneCandidates} names and drops them from `state` (mutated). Write
 * the state, then {@link removeReleases}: a crash in between leaves an unlisted directory, never a
 * listed release whose files are half gone.
 */
export function pruneState(state: HostState, keep: number, held?: ReadonlySet<string>): InstalledEntry[] {
  return pruneCandidates(state, keep, held).flatMap((version) => {
    const entry = state.releases[version];
    delete state.releases[version];
    return entry ? [entry] : [];
  });
}

/**
 * The release directories pruning would remove that a live process still has as cwd, executable
 * or open file (facts from {@link pathsHeldUnder}, decided by {@link releasesInUse}); each one is
 * reported in a `warning` event of step `prune`. Looks at `/proc` only when something is to be pruned.
 */
export async function heldReleases(
  layout: HostLayout,
  state: HostState,
  keep: number,
  onEvent?: EventSink,
): Promise<Set<string>> {
  const dirs = pruneCandidates(state, keep).filter((v) => state.releases[v]?.manifest.format === "tgz");
  if (!dirs.length) return new Set();
  const holds = await pathsHeldUnder(layout.releases);
  const releases = await realpath(layout.releases).catch(() => layout.releases);
  const inUse = releasesInUse(new Map(dirs.map((v) => [v, join(releases, v)])), holds);
  for (const release of inUse.values()) {
    onEvent?.({
      type: "warning",
      step: "prune",
      message: `Not pruning ${describeInUse(release)}: a live process still uses it; a later run prunes it once it is free.`,
    });
  }
  return new Set(inUse.keys());
}

/** Removes pruned releases' directories (moved aside first, so none is ever half there) and cached artifacts. */
export async function removeReleases(
  layout: HostLayout,
  pruned: readonly InstalledEntry[],
  onEvent?: EventSink,
): Promise<void> {
  for (const { manifest } of pruned) {
    if (manifest.format === "tgz") {
      const trash = join(layout.releases, `.trash-${randomUUID()}`);
      const moved = await rename(layout.release(manifest.version), trash).then(
        () => true,
        () => false,
      );
      if (moved) await rm(trash, { recursive: true, force: true });
    }
    await rm(join(layout.cache, manifest.version), { recursive: true, force: true });
  }
  if (pruned.length)
    onEvent?.({
      type: "step:finish",
      step: "prune",
      message: `Pruned ${pruned.map((e) => e.manifest.version).join(", ")}`,
      durationMs: 0,
    });
}

/**
 * After a release was refused: removes its cache dir when empty (a refused download), or with
 * `whole` its cached artifact too (the disk is full and no installed release uses it).
 */
export async function forgetCachedArtifact(
  layout: HostLayout,
  version: string,
  whole: boolean,
): Promise<void> {
  const cached = join(layout.cache, version);
  if (whole) await rm(cached, { recursive: true, force: true });
  else await rmdir(cached).catch(() => undefined);
}
