import { isDeployKitError, throwIfAborted } from "./errors";
import { step } from "./events";
import { activateArtifact, isLive, makeLive, missingLive } from "./host/activate";
import { cachedName, fetchArtifact } from "./host/fetch-artifact";
import { followChannel } from "./host/followed-channel";
import { asHostError } from "./host/fs-errors";
import { type HostOptions, type HostPlan, planHost } from "./host/plan";
import { forgetCachedArtifact, heldReleases, pruneState, removeReleases } from "./host/prune";
import { assertFitsRoot } from "./host/release-fit";
import { withHostLock } from "./host/session";
import { type HostState, hostRelease, recordInstalled, recordLive, writeState } from "./host/state";
import type { ReleaseManifest } from "./manifest";
import { installRemote, installRemoteLocked } from "./remote/install";
import type { StagedArtifact } from "./remote/staged-artifact";
import {
  assertSelector,
  type ReleaseSelector,
  type ResolvedRelease,
  resolveSelected,
} from "./resolve-release";
import type { ArtifactStore } from "./store/artifact-store";
import type { HostRelease } from "./strategy";
import { type ArtifactTransfer, assertTransfer } from "./transfer";
import type { TrustPolicy } from "./trust/policy";

/** Options for {@link install}. */
export interface InstallOptions extends HostOptions, ReleaseSelector, TrustPolicy {
  store: ArtifactStore;
  /** How the artifact reaches a remote host; see {@link ArtifactTransfer}. Default `"stream"`. */
  transfer?: ArtifactTransfer;
  /**
   * The artifact already read and checked on this machine ({@link stageArtifact}): a remote
   * host is sent its local copy instead of the store's bytes being read and scanned again
   * (a rollout stages once for all its hosts). Used only when it is exactly this release's
   * artifact; ignored for a local host and with `transfer: "presigned-url"`.
   */
  staged?: StagedArtifact;
}

/** What {@link install} did. */
export interface InstalledRelease {
  /** The release now live. */
  release: HostRelease;
  /**
   * The release that was live before, if any (when the live release was put back on disk, see
   * `unchanged`: where a rollback would go from it).
   */
  previous?: HostRelease;
  /**
   * True when the requested release was already live, its directory in place (nothing changed).
   * A live release whose directory is gone (or that `current` no longer points at) is unpacked
   * again, from the host's cache or the store, and `current` switched to it: `false`.
   */
  unchanged: boolean;
}

/** The error to throw for a release that could not be put on the host, after cleaning up its cache. */
async function refused(plan: HostPlan, manifest: ReleaseManifest, state: HostState, error: unknown) {
  const typed = asHostError(error, `installing ${manifest.app} ${manifest.version}`);
  const diskFull = isDeployKitError(typed, "E_DISK_FULL") && state.releases[manifest.version] === undefined;
  await forgetCachedArtifact(plan.layout, manifest.version, diskFull);
  return typed;
}

/**
 * Installs `resolved` (resolved from the store, signatures checked, BEFORE the lock was taken,
 * so that a bad selector or an unsigned release writes nothing on the host) with the lock held
 * (see {@link withHostLock}); `state` is mutated and written. A release of another app, or
 * other bytes under an installed version, is refused first ({@link assertFitsRoot}). Order, so that a crash at any instant leaves `current` on a complete release and a state the
 * next run reconciles: download (verified) → unpack into staging, rename into `releases/<v>` →
 * record the release as installed → switch `current` → record it live → prune.
 */
export async function installLocked(
  plan: HostPlan,
  options: InstallOptions,
  state: HostState,
  resolved: ResolvedRelease,
  beforeSwitch?: (release: HostRelease, previous: HostRelease | undefined) => Promise<void>,
): Promise<InstalledRelease> {
  if (plan.host.kind !== "local") return installRemoteLocked(plan, options, state, beforeSwitch, resolved);
  const { layout, onEvent, signal, ports } = plan;
  const { manifest } = resolved;
  assertFitsRoot(state, manifest, layout.root);
  followChannel(state, resolved);
  const live = hostRelease(state, state.current);
  const again = live?.version === manifest.version;
  const previous = again ? hostRelease(state, state.previous) : live;
  if (live && again) {
    if (manifest.format === "deb" || (await isLive(layout, live.dir)))
      return { release: live, ...(previous ? { previous } : {}), unchanged: true };
    missingLive(plan, live);
  }

  let dir: string;
  try {
    throwIfAborted(signal);
    const artifact = await fetchArtifact(options.store, manifest, layout.cache, onEvent, signal);
    throwIfAborted(signal);
    dir = await activateArtifact(plan, manifest, artifact);
  } catch (error) {
    throw await refused(plan, manifest, state, error);
  }
  // From here on the step is finished, not undone: the release is complete on disk.
  recordInstalled(state, manifest, dir, cachedName(manifest), ports.clock);
  await writeState(layout.state, state);
  await beforeSwitch?.({ version: manifest.version, dir, manifest }, previous);
  await makeLive(plan, manifest, dir);
  await step(onEvent, "record", `Recording ${manifest.version} as live`, async () => {
    recordLive(state, manifest.version, "install", ports.clock);
    const fallback = previous?.version;
    const held = await heldReleases(layout, state, plan.keep, onEvent, fallback);
    const { removed } = pruneState(state, plan.keep, { held, ...(fallback ? { fallback } : {}) });
    await writeState(layout.state, state);
    await removeReleases(layout, removed, onEvent);
  });
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
 * atomically, records the state and prunes to `keep` releases. One install per root at a time
 * (`E_LOCKED`, or wait `lockTimeoutMs`).
 *
 * A crash or kill at any instant leaves `current` on a complete release; the next run brings
 * `state.json` in line with it and removes the debris. An abort (`signal`) stops between steps
 * and undoes the step it stopped in; once the release is unpacked the install finishes.
 *
 * @throws {@link DeployKitError} `E_LOCKED`, `E_HOST_STATE`, `E_STATE_CORRUPT`, `E_DISK_FULL`,
 * `E_PERMISSION`, `E_READ_ONLY`, `E_CHECKSUM_MISMATCH`, `E_SIGNATURE` (also for a signed channel
 * pointer older than the one this host followed last), `E_UNSAFE_ARCHIVE`, `E_NOT_FOUND`,
 * `E_ABORTED`, store errors; `E_INVALID_INPUT` for a `transfer` the host or store cannot do; with
 * `transfer: "presigned-url"`, `E_TOOL_MISSING` (no curl/wget on the host) and
 * `E_STORE_UNAVAILABLE` (the host could not download).
 *
 * @example
 * ```ts
 * await install({ store: createFsStore({ dir: "/srv/store" }), app: "web", channel: "production", root: "/srv/web" })
 * ```
 */
export async function install(options: InstallOptions): Promise<InstalledRelease> {
  assertSelector(options);
  const plan = planHost(options);
  assertTransfer(options.transfer, plan.host, options.store);
  if (plan.host.kind !== "local") return installRemote(plan, options);
  // Resolved (and its signatures checked) before the lock: a failure writes nothing on the host.
  const resolved = await resolveSelected(options.store, options);
  return withHostLock(plan, `install ${options.app}`, (state) =>
    installLocked(plan, options, state, resolved),
  );
}
