import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { assertDirectory } from "./directory";
import { DeployKitError, throwIfAborted } from "./errors";
import { type OperationOptions, step } from "./events";
import { type HostPlan, planHost } from "./host/plan";
import { heldReleases, type KeptRelease, pruneState, removeReleases } from "./host/prune";
import { withHostLock } from "./host/session";
import { type HostState, readState, writeState } from "./host/state";
import { assertAppName } from "./names";
import type { Ports } from "./ports";
import { listPublished } from "./releases";
import type { ArtifactStore } from "./store/artifact-store";
import { storeKeys } from "./store/keys";

/** Options for {@link prune}: a host root, a store, or both. */
export interface PruneOptions extends OperationOptions, Partial<Ports> {
  /** A host root: remove installed releases beyond `keep` and cached artifacts of releases no longer installed. */
  root?: string;
  /**
   * Releases kept on the host in total (Capistrano's `keep_releases`): the live one, then those
   * plain rollbacks go to, then the newest. A release whose deploy failed and was rolled back
   * does not count (it is removed). Only a release a live process still uses is kept beyond it,
   * and reported in `host.kept`. Default 5.
   */
  keep?: number;
  /** A store: remove published versions of `app` older than the newest `keepVersions`. */
  store?: ArtifactStore;
  /** The app whose published versions are pruned (with `store`). */
  app?: string;
  /** Published versions kept, newest first (dpkg order); a version a channel points at is never removed. Default 10. */
  keepVersions?: number;
  /** Only report what would be removed; nothing is written (no lock is taken either). */
  dryRun?: boolean;
}

/** What {@link prune} removed (or, with `dryRun`, would remove). */
export interface PruneResult {
  dryRun: boolean;
  host?: {
    root: string;
    /** Installed releases removed (directory, cache entry and state record). */
    releases: string[];
    /** Cache entries removed that belonged to no installed release. */
    cache: string[];
    /** Releases kept beyond `keep`, and why (a live process still uses them: pruned on a later run once free). */
    kept: KeptRelease[];
  };
  store?: {
    app: string;
    location: string;
    /** Published versions removed (every object under `apps/<app>/releases/<version>/`). */
    versions: string[];
    /** Versions kept because a channel points at them, by channel. */
    protected: Record<string, string>;
  };
}

/** Cache entries (`.deploykit/cache/<version>`) of releases `state` no longer lists. */
async function orphanedCache(plan: HostPlan, state: HostState): Promise<string[]> {
  const entries = await readdir(plan.layout.cache).catch(() => [] as string[]);
  return entries.filter((name) => !name.startsWith(".") && state.releases[name] === undefined).sort();
}

async function pruneHost(plan: HostPlan, dryRun: boolean): Promise<NonNullable<PruneResult["host"]>> {
  const { layout, onEvent } = plan;
  await assertDirectory(layout.root, { what: "The host root", mustExist: true, hint: "Check the root." });
  if (dryRun) {
    const state = await readState(layout.state);
    const held = await heldReleases(layout, state, plan.keep, onEvent);
    const { removed, kept } = pruneState(state, plan.keep, { held });
    const releases = removed.map((e) => e.manifest.version);
    const cache = (await orphanedCache(plan, state)).filter((name) => !releases.includes(name));
    return { root: layout.root, releases, cache, kept };
  }
  return withHostLock(plan, "prune", async (state) => {
    const held = await heldReleases(layout, state, plan.keep, onEvent);
    const { removed, kept } = pruneState(state, plan.keep, { held });
    await writeState(layout.state, state);
    await removeReleases(layout, removed, onEvent);
    const cache = await orphanedCache(plan, state);
    for (const name of cache) await rm(join(layout.cache, name), { recursive: true, force: true });
    return { root: layout.root, releases: removed.map((e) => e.manifest.version), cache, kept };
  });
}

async function pruneStore(
  options: PruneOptions & { store: ArtifactStore; app: string },
  dryRun: boolean,
): Promise<NonNullable<PruneResult["store"]>> {
  const { store, app, onEvent, signal } = options;
  const keep = options.keepVersions ?? 10;
  const { versions, channels } = await listPublished(store, app);
  const pointedAt = new Set(Object.values(channels));
  const candidates = versions.slice(0, Math.max(0, versions.length - keep));
  const removed = candidates.filter((version) => !pointedAt.has(version));
  const kept = Object.fromEntries(Object.entries(channels).filter(([, v]) => candidates.includes(v)));
  const result = { app, location: store.location, versions: removed, protected: kept };
  if (dryRun || removed.length === 0) return result;
  await step(
    onEvent,
    "prune-store",
    `Removing ${removed.length} published version(s) of ${app}`,
    async () => {
      for (const version of removed) {
        throwIfAborted(signal);
        // The manifest goes first: from then on the version is not listed or installable, so no
        // reader ever finds a manifest whose artifact is already gone.
        const manifestKey = storeKeys.manifest(app, version);
        await store.delete(manifestKey);
        for (const { key } of await store.list(storeKeys.release(app, version))) await store.delete(key);
      }
    },
  );
  return result;
}

/**
 * Frees space on a host and/or in a store. On a host (`root`): installed releases beyond
 * `keep` in total (the live one counted first, then where plain rollbacks go, then the newest),
 * and cached artifacts of releases no longer installed, under the root's deploy lock. A release
 * a live process still uses (`/proc`: cwd, executable, open file) is kept beyond `keep` and
 * named in `host.kept` with its holders; nothing else is kept beyond it: `keep: 1` leaves the
 * live release alone, and a plain `rollback` has nothing to go back to then. In a store (`store` + `app`): published
 * versions older than the newest `keepVersions`, never one a channel points at. With `dryRun`
 * it only reports what it would remove.
 *
 * @example
 * ```ts
 * const plan = await prune({ root: "/srv/web", keep: 3, dryRun: true })
 * console.log(plan.host?.releases)
 * ```
 * @throws {@link DeployKitError} `E_INVALID_INPUT` (nothing to prune, bad counts), `E_NOT_FOUND`,
 * `E_NOT_A_DIRECTORY` (root), `E_LOCKED`, `E_STATE_CORRUPT`, store errors.
 */
export async function prune(options: PruneOptions): Promise<PruneResult> {
  const dryRun = options.dryRun === true;
  const { root, store, app } = options;
  if (root === undefined && store === undefined) {
    throw new DeployKitError("E_INVALID_INPUT", "prune needs a host root, a store, or both.", {
      hint: "Pass { root } and/or { store, app }.",
    });
  }
  if (store !== undefined && app === undefined) {
    throw new DeployKitError("E_INVALID_INPUT", "Pruning a store needs the app.", {
      hint: "Pass { store, app }.",
    });
  }
  if (app !== undefined) assertAppName(app);
  const keepVersions = options.keepVersions ?? 10;
  if (!Number.isInteger(keepVersions) || keepVersions < 1) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `keepVersions must be a whole number >= 1 (got ${keepVersions}).`,
      {
        hint: "Keep at least the newest version.",
      },
    );
  }
  const plan = root === undefined ? undefined : planHost({ ...options, root });
  const host = plan ? await pruneHost(plan, dryRun) : undefined;
  const published = store && app ? await pruneStore({ ...options, store, app }, dryRun) : undefined;
  return { dryRun, ...(host ? { host } : {}), ...(published ? { store: published } : {}) };
}
