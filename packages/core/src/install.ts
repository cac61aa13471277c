import { resolve } from "node:path";
import { DeployKitError, throwIfAborted } from "./errors";
import type { OperationOptions } from "./events";
import { activateArtifact } from "./host/activate";
import { cachedName, fetchArtifact } from "./host/fetch-artifact";
import { type HostLayout, hostLayout } from "./host/layout";
import { acquireLock } from "./host/lock";
import { pruneReleases } from "./host/prune";
import { assertSharedDirs, DEFAULT_SHARED_DIRS } from "./host/shared-dirs";
import { type HostState, readState, writeState } from "./host/state";
import { type Ports, resolvePorts } from "./ports";
import { assertSelector, type ReleaseSelector, resolveRelease } from "./resolve-release";
import type { ArtifactStore } from "./store/artifact-store";
import type { HostRelease } from "./strategy";

/** Options for {@link install}. */
export interface InstallOptions extends OperationOptions, ReleaseSelector, Partial<Ports> {
  store: ArtifactStore;
  /** The host root holding `releases/`, `current`, `shared/` and `.deploykit/`. */
  root: string;
  /** Releases to keep on disk (and artifacts in the cache); the live and previous ones are always kept. Default 5. */
  keep?: number;
  /** Dirs under `shared/` linked into each release. Default `["log", "tmp/pids"]`. */
  sharedDirs?: string[];
}

/** What {@link install} did. */
export interface InstalledRelease {
  /** The release now live. */
  release: HostRelease;
  /** The release that was live before, if any. */
  previous?: HostRelease;
  /** True when the requested release was already live (nothing changed). */
  unchanged: boolean;
}

/** Validated, normalised host settings shared by install, deploy and rollback. */
export interface HostPlan extends OperationOptions {
  layout: HostLayout;
  ports: Ports;
  keep: number;
  sharedDirs: string[];
}

/** Settings of a host root, checked before anything is written. @throws `E_INVALID_INPUT` */
export type HostOptions = OperationOptions &
  Partial<Ports> &
  Pick<InstallOptions, "root" | "keep" | "sharedDirs">;

/** Checks and normalises {@link HostOptions}. @throws `E_INVALID_INPUT` */
export function planHost(options: HostOptions): HostPlan {
  const keep = options.keep ?? 5;
  if (!Number.isInteger(keep) || keep < 1) {
    throw new DeployKitError("E_INVALID_INPUT", `keep must be a whole number >= 1 (got ${keep}).`, {
      hint: "The live and previous releases are always kept on top of it.",
    });
  }
  const sharedDirs = options.sharedDirs ?? DEFAULT_SHARED_DIRS;
  assertSharedDirs(sharedDirs);
  return {
    layout: hostLayout(resolve(options.root)),
    ports: resolvePorts(options),
    keep,
    sharedDirs,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** The {@link HostRelease} of a state entry. */
export function hostRelease(state: HostState, version: string | undefined): HostRelease | undefined {
  const entry = version === undefined ? undefined : state.releases[version];
  return entry && { version: entry.manifest.version, dir: entry.dir, manifest: entry.manifest };
}

/** Installs without taking the lock; the caller holds it. */
export async function installLocked(plan: HostPlan, options: InstallOptions): Promise<InstalledRelease> {
  const { layout, onEvent, signal } = plan;
  const { store } = options;
  const manifest = await resolveRelease(store, options);
  const state = await readState(layout.state);
  const previous = hostRelease(state, state.current);
  if (state.current === manifest.version && previous) {
    const before = hostRelease(state, state.previous);
    return { release: previous, ...(before ? { previous: before } : {}), unchanged: true };
  }

  throwIfAborted(signal);
  const artifact = await fetchArtifact(store, manifest, layout.cache, onEvent, signal);
  throwIfAborted(signal);
  const dir = await activateArtifact(plan, manifest, artifact);

  const now = new Date().toISOString();
  state.app = manifest.app;
  state.releases[manifest.version] = { manifest, installedAt: now, dir, cached: cachedName(manifest) };
  if (state.current !== undefined) state.previous = state.current;
  state.current = manifest.version;
  state.history.push({
    action: "install",
    version: manifest.version,
    ...(previous ? { from: previous.version } : {}),
    at: now,
  });
  await pruneReleases(state, layout, plan.keep, onEvent);
  await writeState(layout.state, state);
  return {
    release: { version: manifest.version, dir, manifest },
    ...(previous ? { previous } : {}),
    unchanged: false,
  };
}

/**
 * Installs a published release on this host: resolves the version or channel to its manifest,
 * downloads the artifact into `.deploykit/cache` verifying sha256 on the way, unpacks it into
 * `releases/<version>` (refusing unsafe archives), links shared dirs, switches `current`
 * atomically, records the state and prunes to `keep` releases. One install per root at a time.
 *
 * @example
 * ```ts
 * await install({ store: createFsStore({ dir: "/srv/store" }), app: "web", channel: "production", root: "/srv/web" })
 * ```
 */
export async function install(options: InstallOptions): Promise<InstalledRelease> {
  assertSelector(options);
  const plan = planHost(options);
  const lock = await acquireLock(plan.layout.lock, plan.ports.processes, options.onEvent);
  try {
    return await installLocked(plan, options);
  } finally {
    await lock.release();
  }
}
