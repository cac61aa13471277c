import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const demo = join(import.meta.dirname, "..", "demo.mjs");
let workDir: string | undefined;
afterAll(() => (workDir ? rm(workDir, { recursive: true, force: true }) : undefined));

describe("npm run demo", () => {
  it("deploys v1, then v2, then rolls back to v1, each answering over HTTP, and stops the app", async () => {
    workDir = await mkdtemp(join(tmpdir(), "dk-demo-"));
    const { stdout } = await promisify(execFile)(process.execPath, [demo], { cwd: workDir });
    const answers = [...stdout.matchAll(/→ \{"status":"ok","version":"([^"]+)"\}/g)].map((m) => m[1]);
    expect(answers).toEqual(["1.0.0", "2.0.0", "1.0.0"]);
    expect(stdout).toContain("Stop the app");
    const port = /http:\/\/127\.0\.0\.1:(\d+)\/health/.exec(stdout)?.[1];
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
