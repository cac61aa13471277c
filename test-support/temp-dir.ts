import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory under the OS temp dir (`<prefix>XXXXXX`) and the cleanup that removes it. */
export async function tempDir(
  prefix = "deploykit-test-",
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Temp dirs made on demand by one test file (`make(label)` → `<prefix><label>-XXXXXX`), all
 * removed by one `cleanup()` in its afterAll.
 */
export function tempDirs(prefix = "deploykit-") {
  const made: string[] = [];
  return {
    async make(label: string): Promise<string> {
      const { dir } = await tempDir(`${prefix}${label}-`);
      made.push(dir);
      return dir;
    },
    async cleanup(): Promise<void> {
      await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
