import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { deploykit, jsonLines, tempDir } from "./support/cli";

const STACK_LINE = /^\s+at /m;

describe("errors", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    store = join(dir, "store");
    const artifact = await makeArtifact(dir, "hello", "1.0.0");
    expect((await deploykit(["publish", artifact, "--store", store])).exitCode).toBe(0);
  });
  afterAll(() => cleanup());

  const installMissing = ["install", "--app", "hello", "--version", "9.9.9", "--root", "host"];

  it("renders a DeployKitError as message + hint, without a stack, and exits 1", async () => {
    const run = await deploykit([...installMissing, "--store", store], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("apps/hello/releases/9.9.9/manifest.json does not exist");
    expect(run.stderr).toContain("[E_NOT_FOUND]");
    expect(run.stderr).toMatch(/hint: Check the app name/);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it("shows the stack with --debug", async () => {
    const run = await deploykit([...installMissing, "--store", store, "--debug"], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(STACK_LINE);
  });

  it("prints the error as a JSON object with code, message and hint under --json", async () => {
    const run = await deploykit([...installMissing, "--store", store, "--json"], { cwd: dir });
    expect(run.exitCode).toBe(1);
    const error = jsonLines(run.stdout).at(-1);
    expect(error).toMatchObject({
      type: "error",
      code: "E_NOT_FOUND",
      message: expect.stringContaining("does not exist"),
      hint: expect.any(String),
    });
    expect(error).not.toHaveProperty("stack");
  });

  it("refuses republishing a version with other bytes (E_VERSION_EXISTS)", async () => {
    const other = join(dir, "other");
    const artifact = await makeArtifact(other, "hello", "1.0.0", { crash: true });
    const run = await deploykit(["publish", artifact, "--store", store]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("[E_VERSION_EXISTS]");
    expect(run.stderr).toContain("hint:");
  });
});
