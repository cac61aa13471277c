import { createHash } from "node:crypto";
import { closeSync, createReadStream, createWriteStream, openSync, readSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { DeployKitError, type EventSink, throwIfAborted } from "@deploykit/core";
import { compressorError, createCompressor } from "./compress";
import { type DebEntry, tarName } from "./entries";
import { END_OF_ARCHIVE, encodeTarHeader, padding } from "./tar-header";
import type { DebCompression } from "./targets";

/** What writing `data.tar` learned about the tree: md5sums lines and dpkg's Installed-Size. */
export interface DataTarResult {
  /** `md5  path` lines, one per regular file, in archive order. */
  md5sums: string[];
  /** Installed-Size in KiB, by dpkg-gencontrol's rule. */
  installedSize: number;
}

/** Options of {@link writeDataTar}. */
export interface DataTarOptions {
  entries: readonly DebEntry[];
  mtime: number;
  compression: DebCompression;
  level: number;
  /** The file that receives the compressed tar. */
  file: string;
  onTarData?: (chunk: Buffer) => void;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

const BATCH = 1 << 20;
/** Files up to this size are read in one synchronous call: microseconds from the page cache, and
 * it leaves the libuv pool to the compressor, which is what bounds the build time. */
const WHOLE_FILE_LIMIT = 1 << 20;

/** Installed-Size contribution of one entry: files and symlinks rounded up to KiB, 1 KiB otherwise. */
function kibOf(entry: DebEntry): number {
  if (entry.kind === "file") return Math.ceil(entry.size / 1024);
  if (entry.kind === "symlink") return Math.ceil(Buffer.byteLength(entry.target) / 1024);
  return 1;
}

function changedWhilePacking(source: string): DeployKitError {
  return new DeployKitError("E_INVALID_INPUT", `${source} changed size while it was being packed.`, {
    hint: "Make sure nothing writes to the build output while the package is built.",
    details: { source },
  });
}

/** Reads a small file whose size is known; one byte of slack detects a file that grew. */
function readWholeFile(source: string, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size + 1);
  const fd = openSync(source, "r");
  try {
    let read = 0;
    let n = 1;
    while (n > 0 && read <= size) {
      n = readSync(fd, buffer, read, size + 1 - read, read);
      read += n;
    }
    if (read !== size) throw changedWhilePacking(source);
  } finally {
    closeSync(fd);
  }
  return buffer.subarray(0, size);
}

async function* fileChunks(entry: Extract<DebEntry, { kind: "file" }>): AsyncGenerator<Buffer> {
  if ("data" in entry) {
    yield entry.data;
    return;
  }
  if (entry.size <= WHOLE_FILE_LIMIT) {
    yield readWholeFile(entry.source, entry.size);
    return;
  }
  let read = 0;
  for await (const chunk of createReadStream(entry.source, { highWaterMark: BATCH })) {
    read += (chunk as Buffer).length;
    if (read > entry.size) throw changedWhilePacking(entry.source);
    yield chunk as Buffer;
  }
  if (read !== entry.size) throw changedWhilePacking(entry.source);
}

/**
 * Streams the tree as a GNU tar (root `./` first, `./`-relative names, root:root, fixed
 * mtime) through the compressor into `file`, hashing every file on the way. Memory stays
 * bounded: small writes are batched into ~1 MiB chunks, large files are streamed.
 */
export async function writeDataTar(options: DataTarOptions): Promise<DataTarResult> {
  const { entries, mtime } = options;
  const md5sums: string[] = [];
  let installedSize = 1;
  /** The first entry written for each hard-linked inode, with its md5. */
  const linked = new Map<string, { path: string; md5: string }>();
  let bytes = 0;
  async function* tarStream(): AsyncGenerator<Buffer> {
    let batch: Buffer[] = [encodeTarHeader({ name: "./", type: "dir", mode: 0o755, size: 0, mtime })];
    let batched = 0;
    const flush = () => {
      const out = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch);
      batch = [];
      batched = 0;
      bytes += out.length;
      options.onTarData?.(out);
      options.onEvent?.({ type: "progress", step: "deb:data", bytes });
      return out;
    };
    const push = (buffer: Buffer) => {
      batch.push(buffer);
      batched += buffer.length;
    };
    for (const entry of entries) {
      throwIfAborted(options.signal);
      installedSize += kibOf(entry);
      const name = tarName(entry);
      if (entry.kind !== "file") {
        const linkTarget = entry.kind === "symlink" ? entry.target : undefined;
        const mode = entry.kind === "symlink" ? 0o777 : entry.mode;
        push(encodeTarHeader({ name, type: entry.kind, mode, size: 0, mtime, linkTarget }));
        continue;
      }
      // A file hard-linked to one already written is a tar hard link (typeflag 1) to it, as GNU
      // tar stores it: its bytes once, dpkg recreates the link, Installed-Size counts it once.
      const first = "inode" in entry && entry.inode !== undefined ? linked.get(entry.inode) : undefined;
      if (first !== undefined) {
        installedSize -= kibOf(entry);
        const linkTarget = `./${first.path}`;
        push(encodeTarHeader({ name, type: "hardlink", mode: entry.mode, size: 0, mtime, linkTarget }));
        md5sums.push(`${first.md5}  ${entry.path}`);
        continue;
      }
      push(encodeTarHeader({ name, type: "file", mode: entry.mode, size: entry.size, mtime }));
      const md5 = createHash("md5");
      for await (const chunk of fileChunks(entry)) {
        md5.update(chunk);
        push(chunk);
        if (batched >= BATCH) yield flush();
      }
      push(padding(entry.size));
      const digest = md5.digest("hex");
      md5sums.push(`${digest}  ${entry.path}`);
      if ("inode" in entry && entry.inode !== undefined)
        linked.set(entry.inode, { path: entry.path, md5: digest });
      if (batched >= BATCH) yield flush();
    }
    push(END_OF_ARCHIVE);
    yield flush();
  }
  try {
    await pipeline(
      tarStream,
      createCompressor(options.compression, options.level),
      createWriteStream(options.file),
      {
        signal: options.signal,
      },
    );
  } catch (error) {
    throwIfAborted(options.signal);
    throw compressorError(options.compression, error);
  }
  return { md5sums, installedSize };
}
