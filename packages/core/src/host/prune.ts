import { randomUUID } from "node:crypto";
import { rename, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import type { EventSink } from "../events";
import type { HostLayout } from "./layout";
import type { HostState, InstalledEntry } from "./state";

/**
 * Picks the oldest releases beyond `keep`, never the live one nor the previous one, and drops
 * them from `state` (mutated). Write the state, then {@link removeReleases}: a crash in between
 * leaves an unlisted directory, never a listed release whose files are half gone.
 */
export function pruneState(state: HostState, keep: number): InstalledEntry[] {
  const newestFirst = Object.entries(state.releases).sort(([, a], [, b]) =>
    b.installedAt.localeCompare(a.installedAt),
  );
  const protectedVersions = new Set([state.current, state.previous]);
  const pruned: InstalledEntry[] = [];
  let kept = 0;
  for (const [version, entry] of newestFirst) {
    if (protectedVersions.has(version) || kept < keep) {
      kept++;
      continue;
    }
    delete state.releases[version];
    pruned.push(entry);
  }
  return pruned;
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
