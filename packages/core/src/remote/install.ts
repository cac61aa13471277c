import { createReadStream } from "node:fs";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { throwIfAborted } from "../errors";
import { step } from "../events";
import { hashingStream } from "../hashing";
import { missingLive } from "../host/activate";
import { createArchiveGuard } from "../host/archive-guard";
import { cachedName } from "../host/fetch-artifact";
import { followChannel } from "../host/followed-channel";
import type { HostPlan } from "../host/plan";
import { assertFitsRoot } from "../host/release-fit";
import { type HostState, hostRelease, recordInstalled, stateText } from "../host/state";
import type { ReleaseManifest } from "../manifest";
import { type ReleaseSelector, type ResolvedRelease, resolveSelected } from "../resolve-release";
import type { ArtifactStore } from "../store/artifact-store";
import { storeKeys } from "../store/keys";
import type { HostRelease } from "../strategy";
import type { ArtifactTransfer } from "../transfer";
import type { TrustPolicy } from "../trust/policy";
import { artifactMismatch } from "./artifact-mismatch";
import { activateDebRemote } from "./deb";
import { fetchOnHost } from "./fetch-on-host";
import { type LockRelease, withRemoteHostLock } from "./session";
import { type StagedArtifact, stagedFileFor } from "./staged-artifact";
import { prunedEvent, runSteps, switchSteps, unpackStep, writeStep } from "./steps";

/** What an install needs to know about the release (the install options, seen from here). */
type ReleaseSource = ReleaseSelector &
  TrustPolicy & {
    store: ArtifactStore;
    transfer?: ArtifactTransfer | undefined;
    staged?: StagedArtifact | undefined;
  };

/**
 * Sends a staged artifact (read from the store and checked once, on this machine, for the
 * whole rollout) from its local file; the host still checks its sha256 before keeping it.
 */
async function sendStaged(plan: HostPlan, manifest: ReleaseManifest, file: string): Promise<string> {
  const { host, layout, onEvent, signal } = plan;
  const { size, sha256 } = manifest.artifact;
  const remote = join(layout.cache, cachedName(manifest));
  return step(onEvent, "upload", `Sending ${manifest.artifact.file} to ${host.name}`, async () => {
    try {
      await host.upload(createReadStream(file), remote, {
        sha256,
        ...(signal ? { signal } : {}),
        onProgress: (bytes) => onEvent?.({ type: "progress", step: "upload", bytes, total: size }),
      });
      throwIfAborted(signal);
      return remote;
    } catch (error) {
      // The host may have finished (and renamed) before the cut reached it.
      await host.remove([remote]).catch(() => undefined);
      throw error;
    }
  });
}

/**
 * Streams the release's artifact from the store through the SSH connection into the host's
 * cache, in one pass: on this (control) machine the bytes are hashed (size and sha256 against
 * the manifest) and, for a `.tgz`, gunzipped and run through the archive guard
 * ({@link createArchiveGuard}) as they go by; on the host they are checked again with `sha256sum` before they are renamed into
 * the cache. An unsafe archive or a mismatch leaves nothing in the cache.
 */
async function sendArtifact(
  plan: HostPlan,
  options: ReleaseSource,
  manifest: ReleaseManifest,
): Promise<string> {
  const { host, layout, onEvent, signal } = plan;
  const { file, size, sha256 } = manifest.artifact;
  const remote = join(layout.cache, cachedName(manifest));
  return step(onEvent, "upload", `Sending ${file} to ${host.name}`, async () => {
    const body = await options.store.get(storeKeys.artifact(manifest.app, manifest.version, file), {
      signal,
    });
    const hashing = hashingStream((bytes) =>
      onEvent?.({ type: "progress", step: "upload", bytes, total: size }),
    );
    const toHost = new PassThrough();
    hashing.pipe(toHost);
    const cut = new AbortController();
    const stop = () => cut.abort();
    signal?.addEventListener("abort", stop, { once: true });
    // A .deb is dpkg's to check (its own format, unpacked by dpkg); a .tgz goes through the guard.
    const toGuard = manifest.format === "tgz" ? new PassThrough() : undefined;
    if (toGuard) hashing.pipe(toGuard);
    // A cut must end every stream of the tee: a branch nobody reads any more (the ssh client
    // killed) would hold the others back forever, and the install would never settle.
    cut.signal.addEventListener("abort", () => {
      for (const stream of [body, hashing, toHost, toGuard]) stream?.destroy();
    });
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    const scanned = toGuard
      ? pipeline(toGuard, createGunzip(), createArchiveGuard(file), discard).catch((error: unknown) => {
          cut.abort();
          throw error;
        })
      : Promise.resolve();
    const read = pipeline(body, hashing).catch((error: unknown) => {
      cut.abort();
      throw error;
    });
    const uploaded = host.upload(toHost, remote, { sha256, signal: cut.signal });
    try {
      const results = await Promise.allSettled([read, scanned, uploaded]);
      const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      throwIfAborted(signal);
      if (hashing.bytes !== size || hashing.digest() !== sha256)
        throw artifactMismatch(file, options.store.location, manifest, hashing);
      // The guard's verdict first: it explains why the upload was cut.
      const refused = results[1].status === "rejected" ? (results[1] as PromiseRejectedResult) : failure;
      if (refused) throw refused.reason;
      return remote;
    } catch (error) {
      // The host may have finished (and renamed) before the cut reached it.
      await host.remove([remote]).catch(() => undefined);
      throw error;
    } finally {
      signal?.removeEventListener("abort", stop);
    }
  });
}

/** Unpacks a cached artifact on the host as `releases/<version>` (one round trip). */
async function unpackRemote(plan: HostPlan, manifest: ReleaseManifest, artifact: string): Promise<string> {
  await step(
    plan.onEvent,
    "unpack",
    `Unpacking ${manifest.app} ${manifest.version} on ${plan.host.name}`,
    () => runSteps(plan, [unpackStep(plan, manifest.version, artifact)], ""),
  );
  return plan.layout.release(manifest.version);
}

/**
 * Puts a cached artifact into use on the host: a `.tgz` unpacked as `releases/<version>` (live
 * once {@link switchRemote} points `current` at it), a `.deb` installed with the host's dpkg
 * (live at once). @returns the release's directory (a `.deb`'s app home).
 */
export function activateRemote(plan: HostPlan, manifest: ReleaseManifest, artifact: string): Promise<string> {
  return manifest.format === "deb"
    ? activateDebRemote(plan, manifest, artifact)
    : unpackRemote(plan, manifest, artifact);
}

/**
 * Points `current` at a `.tgz` release dir (a `.deb` is live once dpkg installed it), records it
 * live and removes what pruning to `keep` dropped: one round trip, in that order (`state` is
 * mutated first, then written).
 */
export async function switchRemote(
  plan: HostPlan,
  state: HostState,
  version: string,
  action: "install" | "rollback" | "auto-rollback",
): Promise<void> {
  const live = switchSteps(plan, state, version, action);
  const run = () => runSteps(plan, live.steps, live.input);
  if (live.tgz)
    await step(plan.onEvent, "switch", `Switching current to ${version} on ${plan.host.name}`, run);
  else await run();
  prunedEvent(plan, live.pruned);
}

/**
 * The remote install with the root's lock held (see {@link withRemoteHostLock}); `state` is
 * mutated and written. Artifact to the host's cache (streamed and verified on the host, or
 * fetched by the host from a presigned URL), unpack, record installed, `beforeSwitch` (deploy's
 * preflight), switch, record live (+ prune): the same order as the local install, so a cut
 * connection at any instant leaves `current` on a complete release and a state the next run
 * reconciles. A `.deb` is installed with the host's dpkg instead of unpacked, and `current` is
 * left alone (dpkg made it live).
 */
export async function installRemoteLocked(
  plan: HostPlan,
  options: ReleaseSource,
  state: HostState,
  beforeSwitch: ((release: HostRelease, previous: HostRelease | undefined) => Promise<void>) | undefined,
  resolved: ResolvedRelease,
  unlock?: LockRelease,
): Promise<{ release: HostRelease; previous?: HostRelease; unchanged: boolean }> {
  const { manifest } = resolved;
  assertFitsRoot(state, manifest, `${plan.host.name}:${plan.layout.root}`);
  followChannel(state, resolved);
  const live = hostRelease(state, state.current);
  const again = live?.version === manifest.version;
  const previous = again ? hostRelease(state, state.previous) : live;
  if (live && again) {
    // `current` resolves to a directory (list cds through it): the live release is in place.
    if (manifest.format === "deb" || (await plan.host.list(plan.layout.current)) !== undefined)
      return { release: live, ...(previous ? { previous } : {}), unchanged: true };
    missingLive(plan, live);
  }
  const staged = options.transfer === "presigned-url" ? undefined : stagedFileFor(options.staged, manifest);
  const artifact =
    options.transfer === "presigned-url"
      ? await fetchOnHost(plan, options.store, manifest)
      : staged
        ? await sendStaged(plan, manifest, staged)
        : await sendArtifact(plan, options, manifest);
  throwIfAborted(plan.signal);
  let dir: string;
  if (manifest.format === "deb") {
    dir = await activateDebRemote(plan, manifest, artifact); // dpkg says where the app lives
    recordInstalled(state, manifest, dir, cachedName(manifest), plan.ports.clock);
    await plan.host.writeFile(plan.layout.state, stateText(state));
  } else {
    // The state is mutated first, then sent with the scripts that make it true.
    const { host, layout, onEvent } = plan;
    dir = layout.release(manifest.version);
    recordInstalled(state, manifest, dir, cachedName(manifest), plan.ports.clock);
    const installed = stateText(state);
    const unpack = [unpackStep(plan, manifest.version, artifact), writeStep(layout.state, installed)];
    const message = `Unpacking ${manifest.app} ${manifest.version} on ${host.name}`;
    if (!beforeSwitch) {
      // Nothing runs between unpack and switch: ONE round trip for unpack, record installed,
      // switch, record live (+ prune) and the unlock, in that order.
      const live = switchSteps(plan, state, manifest.version, "install", unlock);
      await step(onEvent, "unpack", message, () =>
        runSteps(plan, [...unpack, ...live.steps], installed + live.input, unlock),
      );
      await step(
        onEvent,
        "switch",
        `Switched current to ${manifest.version} on ${host.name}`,
        async () => {},
      );
      prunedEvent(plan, live.pruned);
      return {
        release: { version: manifest.version, dir, manifest },
        ...(previous ? { previous } : {}),
        unchanged: false,
      };
    }
    await step(onEvent, "unpack", message, () => runSteps(plan, unpack, installed));
  }
  await beforeSwitch?.({ version: manifest.version, dir, manifest }, previous);
  await switchRemote(plan, state, manifest.version, "install");
  return {
    release: { version: manifest.version, dir, manifest },
    ...(previous ? { previous } : {}),
    unchanged: false,
  };
}

/**
 * {@link install} on a host reached through an SSH connection, in three round trips after the
 * connection's handshake: lock + inspect; the artifact; unpack, record installed, switch, record
 * live (+ prune) and unlock.
 */
export async function installRemote(
  plan: HostPlan,
  options: ReleaseSource,
): Promise<{ release: HostRelease; previous?: HostRelease; unchanged: boolean }> {
  const resolved = await resolveSelected(options.store, options);
  const { app, version } = resolved.manifest;
  return withRemoteHostLock(plan, `install ${app} ${version}`, (state, release) =>
    installRemoteLocked(plan, options, state, undefined, resolved, release),
  );
}
