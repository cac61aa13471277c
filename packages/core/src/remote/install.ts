import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { REMOTE_COMMANDS } from "../connection/remote-commands";
import { DeployKitError, throwIfAborted } from "../errors";
import { step } from "../events";
import { assertSafeArchive } from "../host/archive-guard";
import { cachedName, fetchArtifact } from "../host/fetch-artifact";
import type { HostPlan } from "../host/plan";
import { pruneState } from "../host/prune";
import { type HostState, hostRelease, recordInstalled, recordLive, stateText } from "../host/state";
import type { ReleaseManifest } from "../manifest";
import { type ReleaseSelector, resolveRelease } from "../resolve-release";
import type { ArtifactStore } from "../store/artifact-store";
import type { HostRelease } from "../strategy";
import type { TrustPolicy } from "../trust/policy";
import { withRemoteHostLock } from "./session";

/** What an install needs to know about the release (the install options, seen from here). */
type ReleaseSource = ReleaseSelector & TrustPolicy & { store: ArtifactStore };

/**
 * Brings the verified artifact into the remote host's cache: fetched from the store on this
 * (control) machine into a temp dir — size and sha256 checked while streaming — and scanned there
 * ({@link assertSafeArchive}); then those same bytes are streamed through the SSH connection and
 * checked again with `sha256sum` on the host before they are renamed into the cache.
 */
async function sendArtifact(
  plan: HostPlan,
  options: ReleaseSource,
  manifest: ReleaseManifest,
): Promise<string> {
  const { host, layout, onEvent, signal } = plan;
  const local = await mkdtemp(join(tmpdir(), "deploykit-artifact-"));
  try {
    const file = await fetchArtifact(options.store, manifest, local, onEvent, signal);
    await assertSafeArchive(file);
    throwIfAborted(signal);
    const remote = join(layout.cache, cachedName(manifest));
    const total = manifest.artifact.size;
    await step(onEvent, "upload", `Sending ${manifest.artifact.file} to ${host.name}`, () =>
      host.upload(createReadStream(file), remote, {
        sha256: manifest.artifact.sha256,
        onProgress: (bytes) => onEvent?.({ type: "progress", step: "upload", bytes, total }),
        ...(signal ? { signal } : {}),
      }),
    );
    return remote;
  } finally {
    await rm(local, { recursive: true, force: true });
  }
}

/** Unpacks a cached artifact on the host as `releases/<version>` (one round trip). */
export async function unpackRemote(
  plan: HostPlan,
  manifest: ReleaseManifest,
  artifact: string,
): Promise<string> {
  const { host, layout } = plan;
  const dir = layout.release(manifest.version);
  const links = plan.sharedDirs.flatMap((shared) => [
    shared,
    relative(dirname(join(dir, shared)), join(layout.shared, shared)),
  ]);
  await step(
    plan.onEvent,
    "unpack",
    `Unpacking ${manifest.app} ${manifest.version} on ${host.name}`,
    async () => {
      const result = await host.exec(REMOTE_COMMANDS.unpackRelease, {
        args: [artifact, layout.releases, manifest.version, layout.shared, ...links],
      });
      if (result.exitCode !== 0) {
        throw new DeployKitError(
          "E_UNSAFE_ARCHIVE",
          `Could not unpack ${artifact} on ${host.name}: ${result.stderr.trim()}`,
          {
            hint: "The artifact is damaged, or the host's disk is full or not writable.",
            details: { host: host.name, artifact, exitCode: result.exitCode },
          },
        );
      }
    },
  );
  return dir;
}

/** Points `current` at a release dir and records it live, pruned to `keep` (2-3 round trips). */
export async function switchRemote(
  plan: HostPlan,
  state: HostState,
  version: string,
  action: "install" | "rollback",
  previous: string | undefined,
): Promise<void> {
  const { host, layout, onEvent } = plan;
  await step(onEvent, "switch", `Switching current to ${version} on ${host.name}`, () =>
    host.switchSymlink(layout.current, relative(layout.root, layout.release(version))),
  );
  recordLive(state, version, action, previous, plan.ports.clock);
  const pruned = action === "install" ? pruneState(state, plan.keep) : [];
  await host.writeFile(layout.state, stateText(state));
  if (pruned.length > 0) {
    await host.remove(
      pruned.flatMap(({ manifest }) => [
        layout.release(manifest.version),
        join(layout.cache, manifest.version),
      ]),
    );
    onEvent?.({
      type: "step:finish",
      step: "prune",
      message: `Pruned ${pruned.map((e) => e.manifest.version).join(", ")} on ${host.name}`,
      durationMs: 0,
    });
  }
}

/**
 * {@link install} on a host reached through an SSH connection, in about eight round trips:
 * lock, inspect, upload (verified on the host), unpack, record installed, switch, record live
 * (+ prune), unlock. The same order as the local install, so a cut connection at any instant
 * leaves `current` on a complete release and a state the next run reconciles. `.tgz` only.
 */
export async function installRemote(
  plan: HostPlan,
  options: ReleaseSource,
): Promise<{ release: HostRelease; previous?: HostRelease; unchanged: boolean }> {
  const manifest = await resolveRelease(options.store, options);
  if (manifest.format !== "tgz") {
    throw new DeployKitError(
      "E_UNSUPPORTED_FORMAT",
      `Installing a .${manifest.format} release over SSH is not supported yet.`,
      {
        hint: "Publish a .tgz build of the release, or install the .deb on the server itself.",
        details: { host: plan.host.name, format: manifest.format },
      },
    );
  }
  return withRemoteHostLock(plan, `install ${manifest.app} ${manifest.version}`, async (state) => {
    const previous = hostRelease(state, state.current);
    if (state.current === manifest.version && previous) {
      const before = hostRelease(state, state.previous);
      return { release: previous, ...(before ? { previous: before } : {}), unchanged: true };
    }
    const artifact = await sendArtifact(plan, options, manifest);
    throwIfAborted(plan.signal);
    const dir = await unpackRemote(plan, manifest, artifact);
    recordInstalled(state, manifest, dir, cachedName(manifest), plan.ports.clock);
    await plan.host.writeFile(plan.layout.state, stateText(state));
    await switchRemote(plan, state, manifest.version, "install", state.current);
    return {
      release: { version: manifest.version, dir, manifest },
      ...(previous ? { previous } : {}),
      unchanged: false,
    };
  });
}
