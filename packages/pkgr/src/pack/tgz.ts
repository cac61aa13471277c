import { pipeline } from "node:stream/promises";
import { throwIfAborted } from "@deploykit/core";
import { Pack } from "tar";
import { BoundedCache } from "./bounded-cache";
import type { IgnoreRules } from "./ignore-rules";
import { createParallelGzip } from "./parallel-gzip";
import { walkTree } from "./walk";
import { type ArtifactWriterOptions, type WrittenArtifact, writeHashed } from "./write-hashed";

/** At most this many paths wait inside the packer, so memory stays flat for any tree size. */
const IN_FLIGHT = 64;

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
}

/**
 * Packs `root` into a gzip'd tar at `dest`, reproducibly: entries sorted, every mtime the same,
 * uid/gid 0 with no user or group names, no atime/ctime, modes normalised (`portable`), gzip
 * header without a timestamp. The same tree gives the same bytes. It streams: file contents are
 * read in chunks, the path queue is bounded, gzip runs pigz-style on several libuv threads, and the
 * sha256 and size are computed on the way to disk.
 */
export async function writeTgz(options: TgzOptions): Promise<WrittenArtifact> {
  throwIfAborted(options.signal);
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let failed: unknown;
  const pack = new Pack({
    cwd: options.root,
    portable: true,
    mtime: options.mtime,
    noDirRecurse: true,
    statCache: new BoundedCache(4 * IN_FLIGHT),
    readdirCache: new BoundedCache(1),
    onWriteEntry(entry) {
      entry.on("end", () => {
        inFlight -= 1;
        wake?.();
      });
    },
  });
  const gzip = createParallelGzip(6);
  const feed = async () => {
    for await (const path of walkTree(options.root, options.rules)) {
      throwIfAborted(options.signal);
      if (failed) return;
      inFlight += 1;
      pack.write(path);
      while (inFlight >= IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    }
    pack.end();
  };
  const packed = new Promise<void>((resolve, reject) => {
    pack.on("error", (error: unknown) => {
      failed = error;
      wake?.();
      reject(error);
    });
    pack.on("end", resolve);
  });
  return writeHashed(options, async (sink) => {
    if (options.onTarData) pack.on("data", options.onTarData);
    pack.pipe(gzip);
    await Promise.all([feed(), packed, pipeline(gzip, sink)]);
  });
}
