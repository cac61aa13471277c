import { cp, realpath } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { deploykit, tempDir } from "./support/cli";

// A host root copied elsewhere (`cp -a`) resolves its releases in its own place, not in the
// root whose absolute paths an earlier run recorded in state.json.

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  for (const v of ["1.0.0", "2.0.0"]) {
    const artifact = await makeArtifact(dir, "hello", v);
    expect((await deploykit(["publish", artifact, "--store", "store"], { cwd: dir })).exitCode).toBe(0);
  }
});
afterAll(() => cleanup());

describe("a copied host root", () => {
  it("rollback in the copy points current at the copy's own release", async () => {
    const old = join(dir, "h16");
    for (const v of ["1.0.0", "2.0.0"]) {
      const run = await deploykit(
        ["install", "--store", "store", "--app", "hello", "--root", old, "--version", v],
        {
          cwd: dir,
        },
      );
      expect(run.exitCode, run.stderr).toBe(0);
    }
    const copy = join(dir, "h17");
    await cp(old, copy, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    const run = await deploykit(["rollback", "--root", copy], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await realpath(join(copy, "current"))).toBe(await realpath(join(copy, "releases", "1.0.0")));
    expect(await realpath(join(old, "current"))).toBe(await realpath(join(old, "releases", "2.0.0")));
  });
});
