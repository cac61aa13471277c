import { join } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { REMOTE_COMMANDS } from "../connection/remote-commands";
import { DeployKitError } from "../errors";
import { step } from "../events";
import { hashingStream } from "../hashing";
import { createArchiveGuard } from "../host/archive-guard";
import { cachedName } from "../host/fetch-artifact";
import type { HostPlan } from "../host/plan";
import type { ReleaseManifest } from "../manifest";
import type { ArtifactStore } from "../store/artifact-store";
import { storeKeys } from "../store/keys";
import { artifactMismatch } from "./artifact-mismatch";

/** How long a presigned artifact URL lives, in s: long enough for a slow host, short enough to leak little. */
export const PRESIGNED_URL_EXPIRES_S = 900;

// Artifacts (by sha256) this process already ran through the archive guard: a rollout to many
// hosts reads and scans an artifact once on this machine, then each host fetches it itself.
const scanned = new Map<string, Promise<void>>();

/** Reads the artifact from the store once, checking size, sha256 and (a `.tgz`) the archive guard. */
function scanOnce(store: ArtifactStore, manifest: ReleaseManifest, signal?: AbortSignal): Promise<void> {
  const { file, size, sha256 } = manifest.artifact;
  let scan = scanned.get(sha256);
  if (!scan) {
    scan = (async () => {
      const body = await store.get(storeKeys.artifact(manifest.app, manifest.version, file), {
        ...(signal ? { signal } : {}),
      });
      const hashing = hashingStream();
      const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
      // A .deb is dpkg's to check; a .tgz goes through the archive guard.
      if (manifest.format === "tgz")
        await pipeline(body, hashing, createGunzip(), createArchiveGuard(file), discard);
      else await pipeline(body, hashing, discard);
      if (hashing.bytes !== size || hashing.digest() !== sha256)
        throw artifactMismatch(file, store.location, manifest, hashing);
    })();
    scanned.set(sha256, scan);
    scan.catch(() => scanned.delete(sha256));
  }
  return scan;
}

const EXIT = { done: 0, mismatch: 4, noTool: 8, downloadFailed: 9 } as const;

/**
 * Puts the release's artifact into a remote host's cache by letting the host download it
 * itself from a presigned store URL (curl, else wget), so the bytes do not pass through this
 * machine for every host. The archive guard and the manifest's size and sha256 are checked here
 * once per artifact (per process) on the store's bytes; the host checks the sha256 of what it
 * downloaded with `sha256sum` before renaming it into the cache, so it keeps only those bytes.
 *
 * @throws {@link DeployKitError} `E_UNSAFE_ARCHIVE` / `E_CHECKSUM_MISMATCH` from the scan,
 *   `E_CHECKSUM_MISMATCH` when the host got other bytes, `E_TOOL_MISSING` when the host has
 *   neither curl nor wget, `E_STORE_UNAVAILABLE` when its download failed (with curl's message).
 */
export async function fetchOnHost(
  plan: HostPlan,
  store: ArtifactStore,
  manifest: ReleaseManifest,
): Promise<string> {
  const { host, layout, onEvent, signal } = plan;
  const { file, sha256 } = manifest.artifact;
  const remote = join(layout.cache, cachedName(manifest));
  await step(onEvent, "scan", `Checking ${file} (sha256, archive guard)`, () =>
    scanOnce(store, manifest, signal),
  );
  return step(onEvent, "download", `${host.name} downloads ${file} from ${store.location}`, async () => {
    const key = storeKeys.artifact(manifest.app, manifest.version, file);
    const url = await (store.presignGet as NonNullable<ArtifactStore["presignGet"]>)(
      key,
      PRESIGNED_URL_EXPIRES_S,
    );
    const result = await host.exec(REMOTE_COMMANDS.fetchUrl, {
      args: [remote, sha256, "644"],
      input: url,
      ...(signal ? { signal } : {}),
    });
    const said = result.stdout.toString().trim();
    const details = { host: host.name, key, location: store.location };
    switch (result.exitCode) {
      case EXIT.done:
        return remote;
      case EXIT.mismatch:
        throw new DeployKitError(
          "E_CHECKSUM_MISMATCH",
          `${host.name} downloaded ${file} with sha256 ${said}, not ${sha256}.`,
          {
            hint: "Nothing was kept on the host. Something between the host and the store changed the bytes (a proxy?), or the object was replaced since it was checked.",
            details: { ...details, expected: sha256, actual: said },
          },
        );
      case EXIT.noTool:
        throw new DeployKitError(
          "E_TOOL_MISSING",
          `${host.name} has neither curl nor wget to download ${file}.`,
          {
            hint: "Install curl on the server, or let the artifact stream through this machine (transfer: stream, the default).",
            details,
          },
        );
      case EXIT.downloadFailed:
        throw new DeployKitError(
          "E_STORE_UNAVAILABLE",
          `${host.name} could not download ${file} from ${store.location}: ${said || "no message"}.`,
          {
            hint: "The host must reach the store's endpoint itself (DNS, firewall, proxy); or let the artifact stream through this machine (transfer: stream).",
            details,
          },
        );
      default:
        throw new DeployKitError(
          "E_COMMAND_FAILED",
          `Downloading ${file} on ${host.name} failed (exit ${result.exitCode}): ${result.stderr.trim()}`,
          { hint: "Check the host's disk and the cache directory's permissions.", details },
        );
    }
  });
}
