import { mkdir, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { BuiltPackage } from "@deploykit/core";
import { packRelease } from "../../../../test-support/release";

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
  return packRelease({ tree, dir: workDir, app, version, processes, entries: Object.keys(files).sort() });
}
