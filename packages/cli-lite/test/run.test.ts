// `deploykit run`: a one-off command in the live release with the environment every process gets.
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { CLI, cleanEnv, deploykit, tempDir } from "./support/cli";

/** Whether a process runs (a zombie waiting for its parent counts as gone). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

describe("run", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let release: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const artifact = await makeArtifact(dir, "hello", "1.0.0");
    const store = ["--store", "store"];
    expect((await deploykit(["publish", artifact, ...store], { cwd: dir })).exitCode).toBe(0);
    const args = ["install", ...store, "--app", "hello", "--version", "1.0.0", "--root", "host"];
    expect((await deploykit(args, { cwd: dir })).exitCode).toBe(0);
    release = join(dir, "host", "releases", "1.0.0");
    await mkdir(join(release, ".profile.d"));
    await writeFile(join(release, ".profile.d", "greeting.sh"), "export GREETING=from-profile\n");
  });
  afterAll(() => cleanup());

  it("runs a command with HOME, PORT and .profile.d; its output is the CLI's output", async () => {
    const script = 'echo "$HOME $PORT $GREETING $(cat version.json)"; echo oops >&2';
    const run = await deploykit(["run", "--root", "host", "--port", "6000", "--", "sh", "-c", script], {
      cwd: dir,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${release} 6000 from-profile "1.0.0"\n`);
    expect(run.stderr).toContain("oops");
  });

  it("exits with the command's exit code", async () => {
    const run = await deploykit(["run", "--root", "host", "--", "sh", "-c", "exit 7"], { cwd: dir });
    expect(run.exitCode).toBe(7);
  });

  it("a word that is neither a process type nor a command names the release's process types", async () => {
    const run = await deploykit(["run", "--root", "host", "wbe"], { cwd: dir });
    expect(run.exitCode).toBe(127);
    expect(run.stderr).toContain('"wbe" is not a process type of hello 1.0.0, nor a command found in it.');
    expect(run.stderr).toMatch(/Its process types: web\b/);
    const other = await deploykit(["run", "--root", "host", "--", "sh", "-c", "exit 127"], { cwd: dir });
    expect(other.exitCode).toBe(127);
    expect(other.stderr).not.toContain("process type");
  });

  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s ends the command with the processes it started (a Procfile line's child of sh -c)",
    async (signal) => {
      // sh waits for its child, as `sh -c 'node server.js'` does for a Procfile line.
      const script = "sleep 600 & echo child=$!; wait";
      const run = execa("node", [CLI, "run", "--root", "host", "--", "sh", "-c", script], {
        cwd: dir,
        env: cleanEnv(),
        extendEnv: false,
        reject: false,
      });
      const child = await new Promise<number>((resolve) =>
        run.stdout?.on("data", (chunk: Buffer) => {
          const pid = /child=(\d+)/.exec(String(chunk))?.[1];
          if (pid) resolve(Number(pid));
        }),
      );
      expect(running(child)).toBe(true);
      run.kill(signal);
      const result = await run;
      expect(result.exitCode).toBe(signal === "SIGTERM" ? 143 : 130);
      const left = running(child);
      if (left) process.kill(child, "SIGKILL");
      expect(left, "the command's child outlived deploykit run").toBe(false);
    },
  );

  it("refuses a missing command as a usage error", async () => {
    const run = await deploykit(["run", "--root", "host"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("needs a process type or a command");
  });
});
