import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { EventSink } from "../events";
import type { HostLayout } from "./layout";
import type { HostState } from "./state";

/**
 * Removes the oldest releases (their directories and cached artifacts) until `keep` remain,
 * never the live one nor the previous one. Mutates and returns `state`.
 */
export async function pruneReleases(
  state: HostState,
  layout: HostLayout,
  keep: number,
  onEvent?: EventSink,
): Promise<string[]> {
  const newestFirst = Object.entries(state.releases).sort(([, a], [, b]) =>
    b.installedAt.localeCompare(a.installedAt),
  );
  const protectedVersions = new Set([state.current, state.previous]);
  const removed: string[] = [];
  let kept = 0;
  for (const [version, entry] of newestFirst) {
    if (protectedVersions.has(version) || kept < keep) {
      kept++;
      continue;
    }
    if (entry.manifest.format === "tgz") await rm(layout.release(version), { recursive: true, force: true });
    await rm(join(layout.cache, version), { recursive: true, force: true });
    delete state.releases[version];
    removed.push(version);
  }
  if (removed.length)
    onEvent?.({ type: "step:finish", step: "prune", message: `Pruned ${removed.join(", ")}`, durationMs: 0 });
  return removed;
}
