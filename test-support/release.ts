import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type BuiltPackage, type ReleaseManifest, sha256Hex } from "@deploykit/core";
import { create } from "tar";

/** What {@link packRelease} packs. */
export interface ReleaseTree {
  /** The app tree to pack (its contents become the release's root). */
  tree: string;
  /** Where `<app>-<version>.tgz` is written. */
  dir: string;
  app: string;
  version: string;
  /** Process types for the manifest; default `{}`. */
  processes?: Record<string, string>;
  /** Only these paths of the tree, in this order; default the whole tree (`.`). */
  entries?: string[];
}

/**
 * The tests' one fake package builder: packs `tree` into `<dir>/<app>-<version>.tgz` with a
 * valid manifest, the way buildPackage would (portable entries, mtime 0, so the same tree gives
 * the same bytes and sha256).
 */
export async function packRelease({
  tree,
  dir,
  app,
  version,
  processes = {},
  entries = ["."],
}: ReleaseTree): Promise<BuiltPackage> {
  const file = `${app}-${version}.tgz`;
  const path = join(dir, file);
  await create({ gzip: true, file: path, cwd: tree, portable: true, mtime: new Date(0) }, entries);
  const bytes = await readFile(path);
  const manifest: ReleaseManifest = {
    schemaVersion: 1,
    app,
    version,
    format: "tgz",
    artifact: { file, size: bytes.length, sha256: sha256Hex(bytes) },
    createdAt: new Date(0).toISOString(),
    build: { buildpacks: [] },
    processes,
  };
  return { path, manifest };
}
