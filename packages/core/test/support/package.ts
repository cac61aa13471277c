import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { BuiltPackage, ReleaseManifest } from "@deploykit/core";
import { create } from "tar";

/** A temp dir removed by the returned cleanup. */
export async function tempDir(prefix = "dk-core-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Builds a .tgz release of `files` (path → content) with a valid manifest, the way buildPackage would. */
export async function makePackage(
  workDir: string,
  app: string,
  version: string,
  files: Record<string, string>,
  processes: Record<string, string> = {},
): Promise<BuiltPackage> {
  const tree = join(workDir, `tree-${app}-${version}`);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(tree, path)), { recursive: true });
    await writeFile(join(tree, path), content);
  }
  const file = `${app}-${version}.tgz`;
  const path = join(workDir, file);
  await create(
    { gzip: true, file: path, cwd: tree, portable: true, mtime: new Date(0) },
    Object.keys(files).sort(),
  );
  const bytes = await readFile(path);
  const manifest: ReleaseManifest = {
    schemaVersion: 1,
    app,
    version,
    format: "tgz",
    artifact: { file, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") },
    createdAt: new Date(0).toISOString(),
    build: { buildpacks: [] },
    processes,
  };
  return { path, manifest };
}
