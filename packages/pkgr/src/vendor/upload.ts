import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  type ArtifactStore,
  DeployKitError,
  type EventSink,
  hashingStream,
  isDeployKitError,
} from "@deploykit/core";
import type { PackedTarball } from "./pack";

/** What {@link uploadTarball} needs. */
export interface TarballUpload {
  store: ArtifactStore;
  key: string;
  tarball: PackedTarball;
  /** Names the runtime in messages, e.g. `ruby 2.2.4`. */
  what: string;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

async function storedSha256(store: ArtifactStore, key: string, metadata?: Record<string, string>) {
  if (metadata?.sha256) return metadata.sha256;
  const hash = createHash("sha256");
  for await (const chunk of await store.get(key)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** `"absent"`, `"same"` (these bytes are stored), or the sha256 of the other bytes stored under the key. */
async function compareStored(upload: TarballUpload): Promise<string> {
  const info = await upload.store.head(upload.key);
  if (!info) return "absent";
  const stored = await storedSha256(upload.store, upload.key, info.metadata);
  return info.size === upload.tarball.size && stored === upload.tarball.sha256 ? "same" : stored;
}

const versionExists = (upload: TarballUpload, stored: string) =>
  new DeployKitError(
    "E_VERSION_EXISTS",
    `${upload.what} is already vendored at ${upload.store.location} ${upload.key} with different bytes.`,
    {
      hint: "Vendored tarballs are immutable (builds may have cached them): vendor under a new version, or delete the old object on purpose first.",
      details: {
        key: upload.key,
        location: upload.store.location,
        storedSha256: stored,
        sha256: upload.tarball.sha256,
      },
    },
  );

/**
 * Uploads a tarball create-only, with its sha256 as metadata. The same bytes already under the
 * key are a no-op (`unchanged`); other bytes are `E_VERSION_EXISTS` and nothing is written.
 */
export async function uploadTarball(upload: TarballUpload): Promise<{ unchanged: boolean }> {
  const before = await compareStored(upload);
  if (before === "same") return { unchanged: true };
  if (before !== "absent") throw versionExists(upload, before);
  const { tarball, onEvent } = upload;
  const counting = hashingStream((bytes) =>
    onEvent?.({ type: "progress", step: "upload", bytes, total: tarball.size }),
  );
  try {
    await upload.store.put(upload.key, createReadStream(tarball.path).pipe(counting), {
      ifAbsent: true,
      contentLength: tarball.size,
      metadata: { sha256: tarball.sha256 },
      signal: upload.signal,
    });
  } catch (error) {
    if (!isDeployKitError(error, "E_OBJECT_EXISTS")) throw error;
    const raced = await compareStored(upload);
    if (raced === "same") return { unchanged: true };
    throw versionExists(upload, raced);
  }
  return { unchanged: false };
}
