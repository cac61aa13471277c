import { type ArtifactStore, DeployKitError, type EventSink, putFileOnce } from "@deploykit/core";
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
 * Uploads a tarball create-only, with its sha256 as metadata (core's `putFileOnce`, the same
 * create-only write publish uses). The same bytes already under the key are a no-op
 * (`unchanged`); other bytes are `E_VERSION_EXISTS` and nothing is written.
 */
export function uploadTarball(upload: TarballUpload): Promise<{ unchanged: boolean }> {
  return putFileOnce(upload.store, upload.key, upload.tarball, {
    conflict: (stored) => versionExists(upload, stored),
    onEvent: upload.onEvent,
    signal: upload.signal,
  });
}
