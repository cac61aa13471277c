import { randomUUID } from "node:crypto";
import { realpath, rename, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import type { EventSink } from "../events";
import { describeHolders, describeInUse, pathsHeldUnder, releasesInUse } from "./in-use";
import type { HostLayout } from "./layout";
import { failedReleases, rollbackWalk } from "./rollback-line";
import type { HostState, InstalledEntry } from "./state";

/** A release pruning kept although `keep` did not count it, and why. */
export interface KeptRelease {
  version: string;
  /**
   * `in-use`: a live process still uses its directory (pruned on a later run once free);
   * `fallback`: the release live before the install that is pruning, which the deploy's health
   * gate rolls back to if the new one fails.
   */
  reason: "in-use" | "fallback";
  /** What the reason rests on, e.g. `pid 4242 cwd /srv/web/releases/1.0.0`. */
  detail: string;
}

/** What keeps a release beyond `keep`: the releases live processes use (version → holders), the install's fallback. */
export interface PruneGuards {
  held?: ReadonlyMap<string, string>;
  fallback?: string;
}

/**
 * The order in which releases count towards `keep`: the live one, then those successive plain
 * rollbacks go to ({@link rollbackWalk}), then the others newest install first; never a release
 * whose deploy failed ({@link failedReleases}), which counts for nothing.
 */
function keepOrder(state: HostState): string[] {
  const failed = failedReleases(state);
  const newestFirst = Object.keys(state.releases).sort((a, b) =>
    (state.releases[b]?.installedAt ?? "").localeCompare(state.releases[a]?.installedAt ?? ""),
  );
  const order = new Set([...(state.current ? [state.current] : []), ...rollbackWalk(state), ...newestFirst]);
  return [...order].filter((version) => version === state.current || !failed.has(version));
}

/**
 * Pure decision, newest install first: the versions pruning removes, and those it keeps beyond
 * `keep` with the reason. `keep` counts releases in total, as Capistrano's `keep_releases`: the
 * live one, then where plain rollbacks go, then the newest. A release whose deploy failed does
 * not count and is removed (Capistrano removes a failed release on rollback). Beyond `keep` only
 * a release in `guards.held` (in use) and `guards.fallback` (an install's health-gate fallback)
 * are kept, each reported.
 */
export function pruneCandidates(
  state: HostState,
  keep: number,
  guards: PruneGuards = {},
): { remove: string[]; kept: KeptRelease[] } {
  const counted = new Set(keepOrder(state).slice(0, Math.max(1, keep)));
  const remove: string[] = [];
  const kept: KeptRelease[] = [];
  const newestFirst = Object.keys(state.releases).sort((a, b) =>
    (state.releases[b]?.installedAt ?? "").localeCompare(state.releases[a]?.installedAt ?? ""),
  );
  for (const version of newestFirst) {
    const held = guards.held?.get(version);
    if (counted.has(version)) continue;
    if (held !== undefined) kept.push({ version, reason: "in-use", detail: held });
    else if (version === guards.fallback)
      kept.push({
        version,
        reason: "fallback",
        detail: "live before this install: the deploy's rollback target",
      });
    else remove.push(version);
  }
  return { remove, kept };
}

/**
 * Drops the releases {@link pruneCandidates} removes from `state` (mutated) and returns them with
 * what was kept beyond `keep`. Write the state, then {@link removeReleases}: a crash in between
 * leaves an unlisted directory, never a listed release whose files are half gone.
 */
export function pruneState(
  state: HostState,
  keep: number,
  guards?: PruneGuards,
): { removed: InstalledEntry[]; kept: KeptRelease[] } {
  const { remove, kept } = pruneCandidates(state, keep, guards);
  const removed = remove.flatMap((version) => {
    const entry = state.releases[version];
    delete state.releases[version];
    return entry ? [entry] : [];
  });
  return { removed, kept };
}

/**
 * The release directories pruning would remove that a live process still has as cwd, executable
 * or open file (facts from {@link pathsHeldUnder}, decided by {@link releasesInUse}), each with
 * its holders (`pid 41 cwd …`) and reported in a `warning` event of step `prune`. Looks at
 * `/proc` only when something is to be pruned (`fallback`: an install's, not to be pruned anyway).
 */
export async function heldReleases(
  layout: HostLayout,
  state: HostState,
  keep: number,
  onEvent?: EventSink,
  fallback?: string,
): Promise<Map<string, string>> {
  const dirs = pruneCandidates(state, keep, fallback === undefined ? {} : { fallback }).remove.filter(
    (v) => state.releases[v]?.manifest.format === "tgz",
  );
  if (!dirs.length) return new Map();
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
  return new Map([...inUse].map(([version, release]) => [version, describeHolders(release)]));
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
