import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { cleanEnv, deploykit, jsonLines, tempDir } from "./support/cli";

describe("config discovery up the directory tree, and DEPLOYKIT_* overrides", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let deep: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeFile(join(dir, "deploykit.config.yml"), "store: store\napp: hello\nroot: host\n");
    const artifact = await makeArtifact(dir, "hello", "1.0.0");
    expect((await deploykit(["publish", artifact], { cwd: dir })).exitCode).toBe(0);
    expect((await deploykit(["install", "--version", "1.0.0"], { cwd: dir })).exitCode).toBe(0);
    deep = join(dir, "app", "src", "lib");
    await mkdir(deep, { recursive: true });
  });
  afterAll(() => cleanup());

  it("finds the config in a parent directory and resolves its paths against that directory", async () => {
    const run = await deploykit(["releases", "--json"], { cwd: deep });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({
      result: { installed: { current: "1.0.0" }, published: { app: "hello", versions: ["1.0.0"] } },
    });
  });

  it("DEPLOYKIT_<KEY> overrides the file (relative to the working directory); flags override both", async () => {
    const env = cleanEnv({ DEPLOYKIT_ROOT: "elsewhere" });
    const fromEnv = await deploykit(["releases", "--json"], { cwd: deep, env });
    expect(fromEnv.exitCode).toBe(1);
    expect(jsonLines(fromEnv.stdout).at(-1)).toMatchObject({
      code: "E_NOT_FOUND",
      message: expect.stringContaining(join(deep, "elsewhere")),
    });
    const flag = await deploykit(["releases", "--root", join(dir, "host")], { cwd: deep, env });
    expect(flag.exitCode, flag.stderr).toBe(0);
  });

  it("a malformed DEPLOYKIT_* value names the variable", async () => {
    const run = await deploykit(["install", "--version", "1.0.0"], {
      cwd: deep,
      env: cleanEnv({ DEPLOYKIT_KEEP: "lots" }),
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('DEPLOYKIT_KEEP="lots" must be a whole number');
  });
});
