import { lstat, mkdir, readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ProcessRunner } from "@deploykit/core";
import { requireTool, type ToolLookup } from "./tools";

/** Compression of an input archive, from its file name. */
export type ArchiveCompression = "gzip" | "bzip2" | "xz";

const SUFFIXES: [string, ArchiveCompression][] = [
  [".tar.gz", "gzip"],
  [".tgz", "gzip"],
  [".tar.bz2", "bzip2"],
  [".tbz2", "bzip2"],
  [".tar.xz", "xz"],
  [".txz", "xz"],
];

/** The archive suffixes vendoring accepts, for error hints. */
export const ARCHIVE_SUFFIXES = SUFFIXES.map(([suffix]) => suffix);

/** The compression an archive's name announces, or `undefined` when it is not a supported archive. */
export function archiveCompression(path: string): ArchiveCompression | undefined {
  const name = basename(path).toLowerCase();
  return SUFFIXES.find(([suffix]) => name.endsWith(suffix))?.[1];
}

const TAR_FLAG: Record<ArchiveCompression, string> = { gzip: "-z", bzip2: "-j", xz: "-J" };
const DECOMPRESSOR: Partial<Record<ArchiveCompression, string>> = { bzip2: "bzip2", xz: "xz" };

/** Checks up front that GNU tar (and bzip2 or xz when needed) can read this archive; returns tar's path. */
export async function requireArchiveTools(
  lookup: ToolLookup,
  compression: ArchiveCompression,
): Promise<string> {
  const tar = await requireTool(lookup, "tar", "unpack the archive");
  const decompressor = DECOMPRESSOR[compression];
  if (decompressor) await requireTool(lookup, decompressor, `decompress a ${compression} archive`);
  return tar;
}

/**
 * Unpacks an archive into `dest` with GNU tar, which refuses `..` members and strips leading
 * `/`, and reads gzip, bzip2 and xz alike (node-tar reads only gzip).
 */
export async function extractArchive(
  runner: ProcessRunner,
  tar: string,
  archive: string,
  compression: ArchiveCompression,
  dest: string,
  signal?: AbortSignal,
): Promise<void> {
  await mkdir(dest, { recursive: true });
  await runner.run(tar, ["-x", TAR_FLAG[compression], "-f", archive, "-C", dest, "--no-same-owner"], {
    signal,
  });
}

/** `dir`'s single top-level folder, or `undefined` when it holds anything else (or more). */
export async function singleTopFolder(dir: string): Promise<string | undefined> {
  const entries = await readdir(dir);
  if (entries.length !== 1) return undefined;
  const only = join(dir, entries[0] as string);
  return (await lstat(only)).isDirectory() ? only : undefined;
}
