import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { DeployKitError, throwIfAborted } from "../errors";
import { type EventSink, step } from "../events";
import { hashingStream } from "../hashing";
import type { ReleaseManifest } from "../manifest";
import type { ArtifactStore } from "../store/artifact-store";
import { storeKeys } from "../store/keys";
import { isIntactArtifact } from "./cache";

/** The cache path of a release's artifact, relative to `.deploykit/cache`. */
export const cachedName = (manifest: ReleaseManifest) => `${manifest.version}/${manifest.artifact.file}`;

/**
 * Makes sure the release's artifact is in the cache, verified: reuses a cached copy whose
 * sha256 matches, else streams it from the store into a temp file while hashing and renames it
 * into place only when size and sha256 match the manifest. A mismatch is
 * `E_CHECKSUM_MISMATCH` and leaves nothing behind.
 *
 * @returns the artifact's absolute path in the cache.
 */
export async function fetchArtifact(
  store: ArtifactStore,
  manifest: ReleaseManifest,
  cacheDir: string,
  onEvent?: EventSink,
  signal?: AbortSignal,
): Promise<string> {
  const target = join(cacheDir, cachedName(manifest));
  const { size, sha256 } = manifest.artifact;
  if (await isIntactArtifact(target, manifest.artifact)) {
    onEvent?.({ type: "progress", step: "download", bytes: size, total: size });
    return target;
  }
  return step(
    onEvent,
    "download",
    `Downloading ${manifest.artifact.file} from ${store.location}`,
    async () => {
      await mkdir(join(cacheDir, manifest.version), { recursive: true });
      const partial = join(cacheDir, manifest.version, `.${randomUUID()}.partial`);
      const hashing = hashingStream((bytes) =>
        onEvent?.({ type: "progress", step: "download", bytes, total: size }),
      );
      try {
        const body = await store.get(
          storeKeys.artifact(manifest.app, manifest.version, manifest.artifact.file),
          { signal },
        );
        await pipeline(body, hashing, createWriteStream(partial), { signal });
        if (hashing.bytes !== size || hashing.digest() !== sha256) {
          throw new DeployKitError(
            "E_CHECKSUM_MISMATCH",
            `${manifest.artifact.file} from ${store.location} does not match its manifest (got ${hashing.bytes} bytes, sha256 ${hashing.digest()}).`,
            {
              hint: "The stored artifact is corrupted or was replaced: republish the release under a new version.",
              details: {
                expected: { size, sha256 },
                actual: { size: hashing.bytes, sha256: hashing.digest() },
              },
            },
          );
        }
        await rename(partial, target);
        return target;
      } catch (error) {
        throwIfAborted(signal);
        throw error;
      } finally {
        await rm(partial, { force: true });
      }
    },
  );
}
