import {
  closeSync,
  createReadStream,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  type Stats,
} from "node:fs";
import { join, relative } from "node:path";
import { DeployKitError } from "@deploykit/core";
import { Header, Pax } from "tar";

/** Output is handed on in batches of about this many bytes. */
const BATCH = 1 << 20;
/** Files up to this size are read with one synchronous call (microseconds from the page cache). */
const WHOLE_FILE_LIMIT = 1 << 20;
const END_OF_ARCHIVE = Buffer.alloc(1024);

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

const padding = (size: number) => Buffer.alloc((512 - (size % 512)) % 512);

function changedWhilePacking(source: string): DeployKitError {
  return new DeployKitError("E_INVALID_INPUT", `${source} changed size while it was being packed.`, {
    hint: "Make sure nothing writes to the build output while the package is built.",
    details: { source },
  });
}

/** Reads a file whose size is known in one call; one byte of slack detects a file that grew. */
function readWhole(source: string, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size + 1);
  const fd = openSync(source, "r");
  try {
    let read = 0;
    for (let n = 1; n > 0 && read <= size; read += n) n = readSync(fd, buffer, read, size + 1 - read, read);
    if (read !== size) throw changedWhilePacking(source);
  } finally {
    closeSync(fd);
  }
  return buffer.subarray(0, size);
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
 * The tar stream of `paths` (relative to `root`, in archive order), byte for byte what node-tar's
 * `Pack` writes with `{ portable: true, mtime, noDirRecurse: true }`: uid/gid 0 without names, no
 * atime/ctime, portable modes, directory mtimes omitted, a pax header for what ustar cannot hold,
 * hard links to an earlier path of the same inode as `Link` entries, sockets and FIFOs left out.
 * Unlike `Pack` it stats and reads small files synchronously (from the page cache, one call
 * each, instead of four round trips through the libuv pool that the compressor needs) and
 * streams large ones, yielding ~1 MiB batches so memory stays flat in the tree size.
 */
export async function* tarStream(
  root: string,
  paths: AsyncIterable<string>,
  mtime: Date,
): AsyncGenerator<Buffer> {
  const firstOfInode = new Map<string, string>();
  let batch: Buffer[] = [];
  let batched = 0;
  const push = (buffers: Buffer[]) => {
    for (const buffer of buffers) {
      batch.push(buffer);
      batched += buffer.length;
    }
  };
  const flush = () => {
    const out = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch, batched);
    batch = [];
    batched = 0;
    return out;
  };
  for await (const path of paths) {
    const source = join(root, path);
    const stat = lstatSync(source);
    if (stat.isDirectory()) push(headerOf(`${path}/`, "Directory", stat, 0, mtime));
    else if (stat.isSymbolicLink())
      push(headerOf(path, "SymbolicLink", stat, 0, mtime, readlinkSync(source)));
    else if (stat.isFile()) {
      const inode = stat.nlink > 1 ? `${stat.dev}:${stat.ino}` : undefined;
      const first = inode === undefined ? undefined : firstOfInode.get(inode);
      if (first !== undefined) {
        push(headerOf(path, "Link", stat, 0, mtime, first));
      } else {
        if (inode !== undefined) firstOfInode.set(inode, relative(root, source));
        push(headerOf(path, "File", stat, stat.size, mtime));
        if (stat.size <= WHOLE_FILE_LIMIT) {
          if (stat.size > 0) push([readWhole(source, stat.size), padding(stat.size)]);
        } else {
          let read = 0;
          for await (const chunk of createReadStream(source, { highWaterMark: BATCH })) {
            read += (chunk as Buffer).length;
            if (read > stat.size) throw changedWhilePacking(source);
            push([chunk as Buffer]);
            if (batched >= BATCH) yield flush();
          }
          if (read !== stat.size) throw changedWhilePacking(source);
          push([padding(stat.size)]);
        }
      }
    }
    if (batched >= BATCH) yield flush();
  }
  push([END_OF_ARCHIVE]);
  yield flush();
}
