import { lstat, readdir, readlink, rm, rmdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { HostLayout } from "./layout";
import type { HostPlan } from "./plan";
import { type HostState, recordLive, writeState } from "./state";
import { switchCurrent } from "./switch-current";

const names = (dir: string) => readdir(dir).catch(() => [] as string[]);

/**
 * Removes what an interrupted install leaves behind: `releases/.staging-*` and `.trash-*`,
 * temp `current` links, temp state and lock records, partial downloads and empty cache dirs.
 * Only safe with the lock held (nobody else writes these; a competitor whose temp lock record
 * is swept writes it again).
 *
 * @returns the paths removed.
 */
export async function sweepDebris(layout: HostLayout): Promise<string[]> {
  const debris: string[] = [];
  for (const name of await names(layout.releases))
    if (name.startsWith(".staging-") || name.startsWith(".trash-")) debris.push(join(layout.releases, name));
  const current = basename(layout.current);
  for (const name of await names(layout.root))
    if (name.startsWith(`.${current}.`)) debris.push(join(layout.root, name));
  const state = basename(layout.state);
  const lock = basename(layout.lock);
  for (const name of await names(layout.meta))
    if ((name.startsWith(`${state}.`) || name.startsWith(`.${lock}.`)) && name.endsWith(".tmp"))
      debris.push(join(layout.meta, name));
  for (const version of await names(layout.cache)) {
    for (const name of await names(join(layout.cache, version)))
      if (name.endsWith(".partial")) debris.push(join(layout.cache, version, name));
  }
  for (const path of debris) await rm(path, { recursive: true, force: true, maxRetries: 3 });
  for (const version of await names(layout.cache))
    await rmdir(join(layout.cache, version)).catch(() => undefined);
  return debris;
}

/** The release directory `current` points at, when it is a symlink; whether it exists. */
async function liveLink(layout: HostLayout): Promise<{ dir: string; exists: boolean } | undefined> {
  const info = await lstat(layout.current).catch(() => undefined);
  if (!info?.isSymbolicLink()) return undefined;
  const dir = resolve(dirname(layout.current), await readlink(layout.current));
  return { dir, exists: (await stat(dir).catch(() => undefined))?.isDirectory() === true };
}

/**
 * Brings `state` (mutated and written) and the `current` symlink back in line after an
 * interrupted run, from what is on disk. `current` is switched only to complete release dirs
 * (renamed into place after unpacking), so when it points at a release the state knows but does
 * not name as live, the switch happened and the state write did not: the state follows `current`.
 * A `current` whose target is gone is pointed back at the release the state names as live.
 * Also removes the debris of interrupted installs ({@link sweepDebris}). Emits a `warning`
 * event for each repair.
 */
export async function recoverHost(plan: HostPlan, state: HostState): Promise<void> {
  const { layout, onEvent, ports } = plan;
  const removed = await sweepDebris(layout);
  if (removed.length)
    onEvent?.({
      type: "warning",
      step: "recover",
      message: `Removed what an interrupted run left: ${removed.map((p) => basename(p)).join(", ")}.`,
    });
  const live = await liveLink(layout);
  if (!live) return;
  const version = Object.keys(state.releases).find(
    (v) => state.releases[v]?.manifest.format === "tgz" && layout.release(v) === live.dir,
  );
  if (live.exists && version !== undefined && version !== state.current) {
    onEvent?.({
      type: "warning",
      step: "recover",
      message: `current points at ${version} but state.json named ${state.current ?? "nothing"} live (an interrupted run); the state follows current.`,
    });
    recordLive(state, version, "recover", ports.clock);
    await writeState(layout.state, state);
    return;
  }
  const named = state.current === undefined ? undefined : state.releases[state.current];
  if (!live.exists && named?.manifest.format === "tgz" && (await stat(named.dir).catch(() => undefined))) {
    onEvent?.({
      type: "warning",
      step: "recover",
      message: `current pointed at the missing ${live.dir}; pointed it back at ${state.current}.`,
    });
    await switchCurrent(layout.current, named.dir);
  }
}
