import { createWriteStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { type EventSink, hashingStream } from "@deploykit/core";
import { create } from "tar";
import { VENDOR_MTIME } from "../reproducible-mtime";

/** A packed tarball on the local disk. */
export interface PackedTarball {
  path: string;
  size: number;
  sha256: string;
}

/** Every path under `root`, as `./a`, `./a/b`..., depth first, each folder's entries sorted. */
async function runtimeEntries(root: string, relative = "."): Promise<string[]> {
  const entries = await readdir(join(root, relative), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const paths: string[] = [];
  for (const entry of entries) {
    const path = `${relative}/${entry.name}`;
    paths.push(path);
    if (entry.isDirectory()) paths.push(...(await runtimeEntries(root, path)));
  }
  return paths;
}

/**
 * Tars `root` so that its contents sit at the tarball's root (`./`, `./bin/ruby`...), the
 * equivalent of `cd root && tar -czf out .`, but byte-for-byte reproducible: entries sorted,
 * mtime fixed at the epoch, no owner names or ids, a portable gzip header. Symlinks stay links.
 */
export async function packRuntime(
  root: string,
  out: string,
  onEvent?: EventSink,
  signal?: AbortSignal,
): Promise<PackedTarball> {
  const entries = ["./", ...(await runtimeEntries(root))];
  const hashing = hashingStream((bytes) => onEvent?.({ type: "progress", step: "pack", bytes }));
  const tarball = create(
    { cwd: root, gzip: true, portable: true, mtime: VENDOR_MTIME, noDirRecurse: true },
    entries,
  );
  await pipeline(tarball, hashing, createWriteStream(out), { signal });
  return { path: out, size: hashing.bytes, sha256: hashing.digest() };
}
