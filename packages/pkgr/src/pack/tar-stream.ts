import { closeSync, lstatSync, openSync, readlinkSync, readSync, type Stats } from "node:fs";
import { join, relative } from "node:path";
import { DeployKitError } from "@deploykit/core";
import { Header, Pax } from "tar";

/** Output is handed on in batches of about this many bytes. */
const BATCH = 1 << 20;
const BLOCK = 512;
const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/** node-tar's `portable` mode: owner rw always, no group/other write; readable dirs listable. */
function portableMode(mode: number, isDir: boolean): number {
  let out = ((mode & 0o7777) | 0o600) & ~0o22;
  if (isDir) {
    if (out & 0o400) out |= 0o100;
    if (out & 0o40) out |= 0o10;
    if (out & 0o4) out |= 0o1;
  }
  return out;
}

function changedWhilePacking(source: string): DeployKitError {
  return new DeployKitError("E_INVALID_INPUT", `${source} changed size while it was being packed.`, {
    hint: "Make sure nothing writes to the build output while the package is built.",
    details: { source },
  });
}

type EntryType = "File" | "Directory" | "SymbolicLink" | "Link";

/** The header block(s) of one entry: a pax header first when ustar cannot hold it, as node-tar does. */
function headerOf(path: string, type: EntryType, stat: Stats, size: number, mtime: Date, linkpath?: string) {
  const isDir = type === "Directory";
  const fields = {
    path,
    linkpath,
    mode: portableMode(stat.mode, isDir),
    size,
    // node-tar's portable mode leaves directory mtimes out.
    mtime: isDir ? undefined : mtime,
    type,
  };
  const header = new Header(fields);
  const needsPax = header.encode();
  const block = header.block as Buffer;
  if (!needsPax) return [block];
  return [new Pax({ mtime: fields.mtime, path, linkpath, size }).encode(), block];
}

/**
 * The archive being written into ~1 MiB buffers of its own: headers are copied in and file
 * contents read straight into place, so a file's bytes are never held in a buffer of their own and
 * never concatenated. {@link room} hands back the filled part once the next piece would not fit.
 */
class Batches {
  private buffer = Buffer.allocUnsafeSlow(BATCH);
  private filled = 0;

  /** Makes `bytes` of contiguous room; returns the batch filled so far when a new one was needed. */
  room(bytes: number): Buffer | undefined {
    if (this.filled + bytes <= this.buffer.length) return undefined;
    const full = this.take();
    this.buffer = Buffer.allocUnsafeSlow(Math.max(BATCH, bytes));
    this.filled = 0;
    return full;
  }

  /** What was written into the current batch, if anything; the batch is not written to again. */
  take(): Buffer | undefined {
    return this.filled === 0 ? undefined : this.buffer.subarray(0, this.filled);
  }

  get free(): number {
    return this.buffer.length - this.filled;
  }

  put(data: Buffer): void {
    data.copy(this.buffer, this.filled);
    this.filled += data.length;
  }

  /** Zero bytes up to the next 512-byte boundary after a file body of `size` bytes. */
  pad(size: number): void {
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.buffer.fill(0, this.filled, this.filled + padding);
    this.filled += padding;
  }

  /** Reads up to `length` bytes of `fd` at `position` into place; returns how many were read. */
  read(fd: number, length: number, position: number): number {
    const n = readSync(fd, this.buffer, this.filled, Math.min(length, this.free), position);
    this.filled += n;
    return n;
  }
}

/**
 * The body of a `size`-byte file, read synchronously into the batches (microseconds a call from
 * the page cache) and padded to a whole block. One byte past `size` is asked for, so a file that
 * grew while it was packed is caught as well as one that shrank.
 */
function* fileBody(batches: Batches, source: string, size: number): Generator<Buffer> {
  // A file that fits in one batch is read with one call.
  const full = batches.room(Math.min(size + BLOCK, BATCH));
  if (full) yield full;
  const fd = openSync(source, "r");
  try {
    let read = 0;
    for (;;) {
      if (batches.free === 0) yield batches.room(BATCH) as Buffer;
      const n = batches.read(fd, size + 1 - read, read);
      read += n;
      if (read > size) throw changedWhilePacking(source);
      if (n === 0) break;
    }
    if (read !== size) throw changedWhilePacking(source);
  } finally {
    closeSync(fd);
  }
  const more = batches.room(BLOCK);
  if (more) yield more;
  batches.pad(size);
}

/**
 * The tar stream of `paths` (relative to `root`, in archive order), byte for byte what node-tar's
 * `Pack` writes with `{ portable: true, mtime, noDirRecurse: true }`: uid/gid 0 without names, no
 * atime/ctime, portable modes, directory mtimes omitted, a pax header for what ustar cannot hold,
 * hard links to an earlier path of the same inode as `Link` entries, sockets and FIFOs left out.
 * Unlike `Pack` it stats and reads files synchronously (from the page cache, straight into the
 * output batch, instead of four round trips through the libuv pool that the compressor needs),
 * yielding ~1 MiB batches so memory stays flat in the tree size.
 */
export async function* tarStream(
  root: string,
  paths: AsyncIterable<string>,
  mtime: Date,
): AsyncGenerator<Buffer> {
  const firstOfInode = new Map<string, string>();
  const batches = new Batches();
  function* entry(headers: Buffer[]): Generator<Buffer> {
    for (const header of headers) {
      const full = batches.room(header.length);
      if (full) yield full;
      batches.put(header);
    }
  }
  for await (const path of paths) {
    const source = join(root, path);
    const stat = lstatSync(source);
    if (stat.isDirectory()) yield* entry(headerOf(`${path}/`, "Directory", stat, 0, mtime));
    else if (stat.isSymbolicLink())
      yield* entry(headerOf(path, "SymbolicLink", stat, 0, mtime, readlinkSync(source)));
    else if (stat.isFile()) {
      const inode = stat.nlink > 1 ? `${stat.dev}:${stat.ino}` : undefined;
      const first = inode === undefined ? undefined : firstOfInode.get(inode);
      if (first !== undefined) {
        yield* entry(headerOf(path, "Link", stat, 0, mtime, first));
      } else {
        if (inode !== undefined) firstOfInode.set(inode, relative(root, source));
        yield* entry(headerOf(path, "File", stat, stat.size, mtime));
        if (stat.size > 0) yield* fileBody(batches, source, stat.size);
      }
    }
  }
  yield* entry([END_OF_ARCHIVE]);
  const last = batches.take();
  if (last) yield last;
}
