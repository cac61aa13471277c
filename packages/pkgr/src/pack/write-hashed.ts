import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { hashingStream } from "@deploykit/core";

/** Where an artifact writer puts its bytes, and who hears about progress. */
export interface ArtifactWriterOptions {
  /** Final path of the artifact; written through a temp file and renamed, so never seen half-done. */
  dest: string;
  /** Gets the running count of bytes written. */
  onBytes?: (bytes: number) => void;
  /** Stops the write (the temp file is removed). */
  signal?: AbortSignal;
}

/** An artifact on disk with the facts the manifest needs. */
export interface WrittenArtifact {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Runs `produce`, which must write the artifact's bytes into the sink it is given and end it;
 * hashes (sha256) and counts them on the way into a temp file, then renames it to `dest`.
 * Every artifact writer (`.tgz`, `.deb`) goes through here, so hashing never needs a second read.
 */
export async function writeHashed(
  options: ArtifactWriterOptions,
  produce: (sink: Writable) => Promise<void>,
): Promise<WrittenArtifact> {
  const temp = `${options.dest}.partial-${process.pid}`;
  const hash = hashingStream(options.onBytes);
  const written = pipeline(hash, createWriteStream(temp), { signal: options.signal });
  try {
    await Promise.all([produce(hash), written]);
    await rename(temp, options.dest);
  } catch (error) {
    hash.destroy();
    await written.catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  return { path: options.dest, size: hash.bytes, sha256: hash.digest() };
}
