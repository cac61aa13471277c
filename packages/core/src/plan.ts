import { stat } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError } from "./errors";
import { isLive } from "./host/activate";
import { cachedName } from "./host/fetch-artifact";
import { planHost } from "./host/plan";
import { pruneState } from "./host/prune";
import { assertFitsRoot } from "./host/release-fit";
import { chooseRollback } from "./host/rollback-line";
import { type HostState, readState, recordLive } from "./host/state";
import type { InstallOptions } from "./install";
import { assertVersion } from "./names";
import { assertSelector, resolveRelease } from "./resolve-release";
import type { RollbackOptions } from "./rollback";
import type { RuntimeStrategy } from "./strategy";

/** What an install, deploy or rollback would do, as {@link planInstall} / {@link planRollback} report it. */
export interface ReleasePlan {
  action: "install" | "deploy" | "rollback";
  app: string;
  root: string;
  /** The version that would be live. */
  version: string;
  /** The version live now, if any. */
  from?: string;
  /** True when `version` is already live: nothing would be switched (nor restarted, unless asked). */
  unchanged: boolean;
  /** Where the artifact would come from: the store, the host's cache, or nowhere (already unpacked / unchanged). */
  fetch: "store" | "cache" | "none";
  /** Installed releases that would be pruned afterwards. */
  prune: string[];
  /** The strategy that would restart the app, if any. */
  restart?: string;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * What {@link install} (or, with a strategy, `deploy`) would do, without writing anything and
 * without taking the lock: resolves the channel or version in the store (reads its manifest),
 * compares with the host's state, and lists what the install would prune. For `--dry-run`.
 *
 * @throws {@link DeployKitError} like install for bad input, `E_NOT_FOUND` for an unpublished
 * version or a missing channel, `E_STATE_CORRUPT`; like install, `E_HOST_STATE` for a root
 * holding another app and `E_CHECKSUM_MISMATCH` for other bytes under an installed version.
 */
export async function planInstall(
  options: InstallOptions & { strategy?: RuntimeStrategy; restartUnchanged?: boolean },
): Promise<ReleasePlan> {
  assertSelector(options);
  const plan = planHost(options);
  const manifest = await resolveRelease(options.store, options);
  const { version } = manifest;
  const state = await readState(plan.layout.state);
  assertFitsRoot(state, manifest, plan.layout.root);
  const entry = state.releases[version];
  const unchanged =
    state.current === version &&
    entry !== undefined &&
    (entry.manifest.format === "deb" || (await isLive(plan.layout, entry.dir)));
  const unpacked = state.releases[version] !== undefined && (await exists(plan.layout.release(version)));
  const fetch =
    unchanged || unpacked
      ? "none"
      : (await exists(join(plan.layout.cache, cachedName(manifest))))
        ? "cache"
        : "store";
  const after: HostState = structuredClone(state);
  if (!unchanged) {
    after.releases[version] ??= {
      manifest,
      installedAt: new Date().toISOString(),
      dir: plan.layout.release(version),
    };
    recordLive(after, version, "install", plan.ports.clock);
  }
  const restarts = options.strategy && (!unchanged || options.restartUnchanged === true);
  return {
    action: options.strategy ? "deploy" : "install",
    app: options.app,
    root: plan.layout.root,
    version,
    ...(state.current ? { from: state.current } : {}),
    unchanged,
    fetch,
    prune: unchanged
      ? []
      : pruneState(after, plan.keep, state.current ? { fallback: state.current } : {}).removed.map(
          (e) => e.manifest.version,
        ),
    ...(restarts && options.strategy ? { restart: options.strategy.name } : {}),
  };
}

/**
 * What {@link rollback} would do, without writing anything: which installed release would
 * become live, and whether it would be restarted.
 *
 * @throws {@link DeployKitError} `E_NO_PREVIOUS_RELEASE`, `E_INVALID_VERSION`, `E_STATE_CORRUPT`.
 */
export async function planRollback(options: RollbackOptions): Promise<ReleasePlan> {
  if (options.version !== undefined) assertVersion(options.version);
  const plan = planHost(options);
  const state = await readState(plan.layout.state);
  const target = chooseRollback(state, options.version, plan.layout.root);
  const entry = state.releases[target] as NonNullable<HostState["releases"][string]>;
  const unchanged = target === state.current;
  return {
    action: "rollback",
    app: entry.manifest.app,
    root: plan.layout.root,
    version: target,
    ...(state.current ? { from: state.current } : {}),
    unchanged,
    fetch: unchanged || (await exists(plan.layout.release(target))) ? "none" : "cache",
    prune: [],
    ...(options.strategy && !unchanged ? { restart: options.strategy.name } : {}),
  };
}
