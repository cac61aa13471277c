import { mkdir, readdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { deploykit, jsonLines, tempDir } from "./support/cli";

let dir: string;
let cleanup: () => Promise<void>;
const store = ["--store", "store"];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const artifact = await makeArtifact(dir, "hello", "1.0.0");
  expect((await deploykit(["publish", artifact, ...store], { cwd: dir })).exitCode).toBe(0);
  const install = ["install", ...store, "--app", "hello", "--version", "1.0.0", "--root", "host"];
  expect((await deploykit(install, { cwd: dir })).exitCode).toBe(0);
});
afterAll(() => cleanup());

describe("the deploy lock from the command line", () => {
  it("restart refuses while a live process holds the lock; lock shows it; --release needs --force", async () => {
    const lock = join(dir, "host", ".deploykit", "lock");
    // This test process stands for a deploy in progress.
    await writeFile(
      lock,
      JSON.stringify({ pid: process.pid, host: hostname(), since: "2026-01-01T00:00:00Z", token: "t" }),
    );
    const restart = await deploykit(
      ["restart", "--root", "host", "--strategy", "command", "--command", "true", "--json"],
      { cwd: dir },
    );
    expect(restart.exitCode).toBe(1);
    expect(restart.stdout).toContain('"code":"E_LOCKED"');

    const shown = await deploykit(["lock", "--root", "host"], { cwd: dir });
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toContain(`Locked by pid ${process.pid} on ${hostname()}`);
    expect((await deploykit(["lock", "--root", "host", "--release"], { cwd: dir })).exitCode).toBe(1);
    const forced = await deploykit(["lock", "--root", "host", "--release", "--force", "--json"], {
      cwd: dir,
    });
    expect(forced.exitCode).toBe(0);
    expect(jsonLines(forced.stdout).at(-1)).toMatchObject({ result: { released: true } });
    expect((await readdir(join(dir, "host", ".deploykit"))).includes("lock")).toBe(false);
  });

  it("install --adopt-legacy moves a current directory aside; without it the install refuses", async () => {
    await mkdir(join(dir, "legacy", "current"), { recursive: true });
    const args = ["install", ...store, "--app", "hello", "--version", "1.0.0", "--root", "legacy"];
    const refused = await deploykit(args, { cwd: dir });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("--adopt-legacy");
    expect((await deploykit([...args, "--adopt-legacy"], { cwd: dir })).exitCode).toBe(0);
    expect((await readdir(join(dir, "legacy", "releases"))).some((n) => n.startsWith("legacy-"))).toBe(true);
  });
});
