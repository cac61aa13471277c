import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { DeployKitError, isDeployKitError } from "../errors";
import type { EventSink } from "../events";
import { hashingStream, sha256OfStream } from "../hashing";
import type { ArtifactStore, PutOptions } from "./artifact-store";

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

/** The size and hex sha256 of the bytes a put sent (`sha256: ""` when the file changed meanwhile). */
interface Sent {
  bytes: number;
  sha256: string;
}

/** `store.put` of the file's read stream, hashed as it flows. */
async function putByStream(
  store: ArtifactStore,
  key: string,
  path: string,
  put: PutOptions,
  onBytes: (bytes: number) => void,
): Promise<Sent> {
  const hashing = hashingStream(onBytes);
  await store.put(key, createReadStream(path).pipe(hashing), put);
  return { bytes: hashing.bytes, sha256: hashing.digest() };
}

/**
 * `store.putFile`, the file hashed by a read of its own alongside (the store reads byte ranges
 * in parallel). The file's identity (inode, size, mtime, ctime) before and after proves both
 * reads saw the same bytes; a file touched meanwhile counts as changed.
 */
async function putByPath(path: string, putFile: () => Promise<void>): Promise<Sent> {
  const identity = async () => {
    const info = await stat(path, { bigint: true });
    return { bytes: Number(info.size), id: `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}` };
  };
  const before = await identity();
  const stop = new AbortController();
  const hashing = sha256OfStream(createReadStream(path, { signal: stop.signal }));
  hashing.catch(() => {}); // awaited below unless the put fails first
  try {
    await putFile();
  } catch (error) {
    stop.abort();
    throw error;
  }
  const sha256 = await hashing;
  const after = await identity();
  return { bytes: after.bytes, sha256: after.id === before.id ? sha256 : "" };
}

/**
 * Stores a file create-only under `key` (immutable objects: release artifacts, vendored
 * tarballs), with its sha256 as metadata, hashing it while it is sent (through
 * `store.putFile` where the store has it, else `store.put` of a read stream). The same bytes already
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
  const put: PutOptions = {
    ifAbsent: true,
    contentLength: file.size,
    metadata: { sha256: file.sha256 },
    signal: options.signal,
  };
  const progress = (bytes: number) =>
    options.onEvent?.({ type: "progress", step: "upload", bytes, total: file.size });
  try {
    const putFile = store.putFile?.bind(store);
    const sent = putFile
      ? await putByPath(file.path, () => putFile(key, file.path, { ...put, onProgress: progress }))
      : await putByStream(store, key, file.path, put, progress);
    if (sent.bytes !== file.size || sent.sha256 !== file.sha256) {
      await store.delete(key);
      throw new DeployKitError(
        "E_CHECKSUM_MISMATCH",
        `${file.path} changed after it was built: its sha256 is not the one recorded for it.`,
        {
          hint: "Build it again and publish the new output.",
          details: { path: file.path, expected: file.sha256, actual: sent.sha256, key },
        },
      );
    }
  } catch (error) {
    if (!isDeployKitError(error, "E_OBJECT_EXISTS")) throw error;
    const raced = await sameOrConflict();
    if (raced) return raced;
    throw error;
  }
  return { unchanged: false };
}
