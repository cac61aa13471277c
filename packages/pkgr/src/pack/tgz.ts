import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { throwIfAborted } from "@deploykit/core";
import type { ArtifactWriter } from "../artifact-writer";
import type { IgnoreRules } from "./ignore-rules";
import { createParallelGzip } from "./parallel-gzip";
import { tarStream } from "./tar-stream";
import { type OnSkip, skippedMessage, walkTree } from "./walk";
import { type ArtifactWriterOptions, type WrittenArtifact, writeHashed } from "./write-hashed";

/** What {@link writeTgz} packs and where. */
export interface TgzOptions extends ArtifactWriterOptions {
  /** The directory whose contents become the archive root. */
  root: string;
  /** Paths to leave out. */
  rules: IgnoreRules;
  /** Every entry's mtime. */
  mtime: Date;
  /** Sees every chunk of the uncompressed tar stream (used to scan for leaked secrets). */
  onTarData?: (chunk: Buffer) => void;
  /** Hears of each socket, FIFO or device file left out. */
  onSkip?: OnSkip;
}

/**
 * Packs `root` into a gzip'd tar at `dest`, reproducibly: entries sorted, every mtime the same,
 * uid/gid 0 with no user or group names, no atime/ctime, modes normalised (`portable`), gzip
 * header without a timestamp; sockets, FIFOs and device files are left out (`onSkip`). The same
 * tree gives the same bytes. It streams: files are read straight into the compressor's 1 MiB
 * blocks (a small file in one call), gzip runs pigz-style on one thread per core, and the sha256
 * and size are computed on the way to disk.
 */
export async function writeTgz(options: TgzOptions): Promise<WrittenArtifact> {
  throwIfAborted(options.signal);
  const { root, rules, mtime, onTarData, onSkip, signal } = options;
  const gzip = createParallelGzip(6);
  // The tar stream fills the compressor's own blocks, which move to the deflate threads as they are.
  function* tar() {
    for (const chunk of tarStream(root, walkTree(root, rules, onSkip), mtime, gzip.takeBlock)) {
      throwIfAborted(signal);
      onTarData?.(chunk);
      yield chunk;
    }
  }
  // One batch read ahead at most: the compressor holds the blocks it works on.
  const source = Readable.from(tar(), { highWaterMark: 1 });
  return writeHashed(options, (sink) => pipeline(source, gzip, sink));
}

/** `buildPackage({ format: "tgz" })`'s writer: `<name>_<version>.tgz` through {@link writeTgz}. */
export const writeTgzArtifact: ArtifactWriter = (request) =>
  writeTgz({
    root: request.root,
    rules: request.rules,
    mtime: request.mtime,
    dest: join(request.outDir, `${request.name}_${request.version}.tgz`),
    onBytes: request.onBytes,
    ...(request.onContent ? { onTarData: request.onContent } : {}),
    onSkip: (path, kind) => request.onWarning?.(skippedMessage(path, kind)),
    ...(request.signal ? { signal: request.signal } : {}),
  });
