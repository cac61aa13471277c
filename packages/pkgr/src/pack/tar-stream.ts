import { closeSync, lstatSync, openSync, readlinkSync, readSync } from "node:fs";
import { DeployKitError } from "@deploykit/core";
import { BLOCK, type HeaderFields, headerBlocks, writeUstarHeader } from "./tar-header";

/** Size of the batches the archive is written into, unless the caller's allocator says otherwise. */
const BATCH = 1 << 20;

function changedWhilePacking(source: string): DeployKitError {
  return new DeployKitError("E_INVALID_INPUT", `${source} changed size while it was being packed.`, {
    hint: "Make sure nothing writes to the build output while the package is built.",
    details: { source },
  });
}

/**
 * The archive being written into batches, each filled to the last byte before it is handed on:
 * headers are encoded and file contents read straight into place, so a file's bytes are never
 * held in a buffer of their own and never copied in user space. Batches are a whole number of
 * 512-byte tar blocks and every header and padded body is too, so only a body can run across
 * two batches.
 */
class Batches {
  private buffer: Buffer;
  private filled = 0;

  constructor(private readonly allocate: () => Buffer) {
    this.buffer = allocate();
    if (this.buffer.length === 0 || this.buffer.length % BLOCK !== 0)
      throw new RangeError(`tar batches must be a positive multiple of ${BLOCK} bytes`);
  }

  get full(): boolean {
    return this.filled === this.buffer.length;
  }

  /** The full batch, handed on (the caller owns it); a new one is started. */
  swap(): Buffer {
    const full = this.buffer;
    this.buffer = this.allocate();
    this.filled = 0;
    return full;
  }

  /** What was written into the current batch, if anything; nothing is written after it. */
  rest(): Buffer | undefined {
    return this.filled === 0 ? undefined : this.buffer.subarray(0, this.filled);
  }

  /** One entry's header block(s); the batch is never full here (see {@link tarStream}). */
  header(fields: HeaderFields): Generator<Buffer> | undefined {
    if (writeUstarHeader(this.buffer, this.filled, fields)) {
      this.filled += BLOCK;
      return undefined;
    }
    return this.blocks(headerBlocks(fields));
  }

  *blocks(blocks: Buffer[]): Generator<Buffer> {
    for (const block of blocks) {
      for (let offset = 0; offset < block.length; offset += BLOCK) {
        if (this.full) yield this.swap();
        block.copy(this.buffer, this.filled, offset, offset + BLOCK);
        this.filled += BLOCK;
      }
    }
  }

  /**
   * The body of the `size`-byte file `fd`, read into place and padded to a whole block; yields
   * each batch it fills. One byte past the end is asked for, so a file that grew while it was
   * packed is caught as well as one that shrank; a short read right at the expected end is the
   * end of the file, so a small file costs one `read`.
   */
  *body(fd: number, size: number, source: string): Generator<Buffer> {
    let read = 0;
    for (;;) {
      if (this.full) yield this.swap();
      const room = Math.min(size + 1 - read, this.buffer.length - this.filled);
      const n = readSync(fd, this.buffer, this.filled, room, read);
      if (read + n > size) throw changedWhilePacking(source);
      this.filled += n;
      read += n;
      if (n === 0 || (n < room && read === size)) break;
    }
    if (read !== size) throw changedWhilePacking(source);
    // The batch ends on a block boundary, so the padding always fits.
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.buffer.fill(0, this.filled, this.filled + padding);
    this.filled += padding;
  }
}

/**
 * The tar stream of `paths` (relative to `root`, in archive order), byte for byte what node-tar's
 * `Pack` writes with `{ portable: true, mtime, noDirRecurse: true }`: uid/gid 0 without names, no
 * atime/ctime, portable modes, directory mtimes omitted, a pax header for what ustar cannot hold,
 * hard links to an earlier path of the same inode as `Link` entries, sockets and FIFOs left out.
 * Unlike `Pack` it stats and reads files synchronously (from the page cache, straight into the
 * output batch, one `lstat`, `open`, `read` and `close` for a small file) and yields each batch
 * once it is full, so memory stays flat in the tree size. `allocate` gives each new batch (by
 * default 1 MiB of its own); a batch yielded is never written to again.
 */
export function* tarStream(
  root: string,
  paths: Iterable<string>,
  mtime: Date,
  allocate: () => Buffer = () => Buffer.allocUnsafeSlow(BATCH),
): Generator<Buffer> {
  const firstOfInode = new Map<string, string>();
  const batches = new Batches(allocate);
  for (const path of paths) {
    const source = `${root}/${path}`;
    const stat = lstatSync(source);
    let fields: HeaderFields;
    let fd: number | undefined;
    if (stat.isDirectory()) fields = { path: `${path}/`, type: "Directory", stat, size: 0, mtime };
    else if (stat.isSymbolicLink())
      fields = { path, type: "SymbolicLink", stat, size: 0, mtime, linkpath: readlinkSync(source) };
    else if (!stat.isFile()) continue;
    else {
      const inode = stat.nlink > 1 ? `${stat.dev}:${stat.ino}` : undefined;
      const first = inode === undefined ? undefined : firstOfInode.get(inode);
      if (first !== undefined) fields = { path, type: "Link", stat, size: 0, mtime, linkpath: first };
      else {
        if (inode !== undefined) firstOfInode.set(inode, path);
        fields = { path, type: "File", stat, size: stat.size, mtime };
        if (stat.size > 0) fd = openSync(source, "r");
      }
    }
    try {
      if (batches.full) yield batches.swap();
      const more = batches.header(fields);
      if (more) yield* more;
      if (fd !== undefined) yield* batches.body(fd, fields.size, source);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  yield* batches.blocks([Buffer.alloc(2 * BLOCK)]);
  const last = batches.rest();
  if (last) yield last;
}
