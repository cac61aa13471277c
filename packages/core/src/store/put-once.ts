import { createReadStream } from "node:fs";
import { DeployKitError, isDeployKitError } from "../errors";
import type { EventSink } from "../events";
import { hashingStream, sha256OfStream } from "../hashing";
import type { ArtifactStore } from "./artifact-store";

/** A file to store, with the size and sha256 it was built with. */
export interface FileToStore {
  path: string;
  /** Size in bytes. */
  size: number;
  /** Hex sha256 the stored object must have. */
  sha256: string;
}

/** Options for {@link putFileOnce}. */
export interface PutFileOnceOptions {
  /** The error to throw when other bytes (hex sha256 `stored`) are already under the key. */
  conflict: (stored: string) => DeployKitError;
  /** Gets `progress` events with step `upload`. */
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/**
 * The hex sha256 of the object under `key`, or `undefined` when there is none: its `sha256`
 * metadata when the store kept it (written in the same request as the bytes), else hashed
 * from its bytes.
 */
async function storedSha256(store: ArtifactStore, key: string): Promise<string | undefined> {
  const info = await store.head(key);
  if (!info) return undefined;
  return info.metadata?.sha256 ?? sha256OfStream(await store.get(key));
}

/**
 * Stores a file create-only under `key` (immutable objects: release artifacts, vendored
 * tarballs), with its sha256 as metadata, hashing it while it streams. The same bytes already
 * under the key are a no-op (`unchanged: true`), including after a race with another writer;
 * other bytes throw `options.conflict(storedSha256)` and nothing is written. A file whose bytes
 * no longer match `file.sha256` is deleted from the store again.
 *
 * @throws the `conflict` error; `E_CHECKSUM_MISMATCH` when the file changed since it was hashed;
 *   the store's errors (`E_STORE_UNAVAILABLE`, `E_ABORTED`...).
 */
export async function putFileOnce(
  store: ArtifactStore,
  key: string,
  file: FileToStore,
  options: PutFileOnceOptions,
): Promise<{ unchanged: boolean }> {
  const sameOrConflict = async () => {
    const stored = await storedSha256(store, key);
    if (stored === undefined) return undefined;
    if (stored === file.sha256) return { unchanged: true };
    throw options.conflict(stored);
  };
  const before = await sameOrConflict();
  if (before) return before;
  const hashing = hashingStream((bytes) =>
    options.onEvent?.({ type: "progress", step: "upload", bytes, total: file.size }),
  );
  try {
    await store.put(key, createReadStream(file.path).pipe(hashing), {
      ifAbsent: true,
      contentLength: file.size,
      metadata: { sha256: file.sha256 },
      signal: options.signal,
    });
  } catch (error) {
    if (!isDeployKitError(error, "E_OBJECT_EXISTS")) throw error;
    const raced = await sameOrConflict();
    if (raced) return raced;
    throw error;
  }
  if (hashing.bytes !== file.size || hashing.digest() !== file.sha256) {
    await store.delete(key);
    throw new DeployKitError(
      "E_CHECKSUM_MISMATCH",
      `${file.path} changed after it was built: its sha256 is not the one recorded for it.`,
      {
        hint: "Build it again and publish the new output.",
        details: { path: file.path, expected: file.sha256, actual: hashing.digest(), key },
      },
    );
  }
  return { unchanged: false };
}
