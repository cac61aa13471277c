import { spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cleanEnv, deploykit, jsonLines, tempDir } from "./support/cli";

// Ordinary build failures are named as install names them, never "Unexpected error" (E_INTERNAL).
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("dk-build-failures-"));
  await chmod(dir, 0o755);
  const app = join(dir, "app");
  await mkdir(app, { mode: 0o755 });
  await writeFile(join(app, "package.json"), '{"name":"hello","version":"1.0.0"}\n', { mode: 0o644 });
  await writeFile(join(dir, "a-file"), "not a directory\n");
});
afterAll(() => cleanup());

const build = (outDir: string, options: { uid?: number } = {}) =>
  deploykit(["build", "app", "--name", "hello", "--version", "1.0.0", "--out-dir", outDir, "--json"], {
    cwd: dir,
    ...(options.uid === undefined ? {} : { uid: options.uid }),
  });

const errorOf = (stdout: string) => jsonLines(stdout).at(-1);

describe("build: the out dir", () => {
  it.each([
    ["an existing file", "a-file"],
    ["a path under a file", "a-file/sub"],
  ])("%s is E_NOT_A_DIRECTORY (exit 1)", async (_label, outDir) => {
    const run = await build(outDir);
    expect(run.exitCode).toBe(1);
    expect(errorOf(run.stdout)).toMatchObject({ type: "error", code: "E_NOT_A_DIRECTORY" });
  });

  it("under /proc is E_PERMISSION at once (Node's recursive mkdir spun there forever)", async () => {
    const run = await build("/proc/deploykit-no-such-dir");
    expect(run.exitCode).toBe(1);
    expect(errorOf(run.stdout)).toMatchObject({ code: "E_PERMISSION" });
  }, 30_000);

  it("one this user may not write is E_PERMISSION naming it, before anything is built", async () => {
    const outDir = join(dir, "not-mine");
    await mkdir(outDir);
    // Root may write anywhere: the build runs as nobody then; another user meets a 0555 dir.
    await chmod(outDir, 0o555);
    const root = process.getuid?.() === 0;
    const run = await build(outDir, root ? { uid: 65534 } : {});
    expect(run.exitCode, run.stderr).toBe(1);
    const error = errorOf(run.stdout);
    expect(error).toMatchObject({ code: "E_PERMISSION", message: expect.stringContaining(outDir) });
    expect(String(error?.hint)).toContain("--out-dir");
    expect(await readdir(outDir)).toEqual([]);
  });
});

describe("build: interrupted", () => {
  it("Ctrl-C while packing is E_ABORTED and exit 130", async () => {
    const big = join(dir, "big");
    await mkdir(big);
    await writeFile(join(big, "package.json"), '{"name":"big","version":"1.0.0"}\n');
    // Incompressible bytes: packing takes long enough to be interrupted in the middle.
    const { randomBytes } = await import("node:crypto");
    await writeFile(join(big, "blob.bin"), randomBytes(64_000_000));
    const child = spawn(
      process.execPath,
      [CLI, "build", "big", "--name", "big", "--version", "1.0.0", "--out-dir", "out-big"],
      { cwd: dir, env: cleanEnv({ NO_COLOR: "1" }), stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    let sent = false;
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      if (!sent && stderr.includes("Packing")) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    try {
      const [code] = (await once(child, "close")) as [number | null];
      expect(sent).toBe(true);
      expect(stderr).toContain("[E_ABORTED]");
      expect(stderr).not.toContain("E_INTERNAL");
      expect(code).toBe(130);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);
});
