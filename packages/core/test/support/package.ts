import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type BuiltPackage, type ReleaseManifest, sha256Hex } from "@deploykit/core";
import { create } from "tar";

export { tempDir } from "../../../../test-support/temp-dir";

/** What a file of a fake release holds: text, bytes, or a symlink to a path. */
export type FakeFile = string | Uint8Array | { symlink: string };

/** Builds a .tgz release of `files` (path → content: text, bytes or a symlink) with a valid manifest, the way buildPackage would. */
export async function makePackage(
  workDir: string,
  app: string,
  version: string,
  files: Record<string, FakeFile>,
  processes: Record<string, string> = {},
): Promise<BuiltPackage> {
  const tree = join(workDir, `tree-${app}-${version}`);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(tree, path)), { recursive: true });
    if (typeof content === "object" && "symlink" in content) await symlink(content.symlink, join(tree, path));
    else await writeFile(join(tree, path), content);
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
    artifact: { file, size: bytes.length, sha256: sha256Hex(bytes) },
    createdAt: new Date(0).toISOString(),
    build: { buildpacks: [] },
    processes,
  };
  return { path, manifest };
}
