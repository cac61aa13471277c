import { existsSync } from "node:fs";
import { readdir, readFile, readlink } from "node:fs/promises";
import { basename, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../test-support/ports";
import { makeArtifact } from "./support/artifact";
import { CLI, cleanEnv, deploykit, tempDir } from "./support/cli";

// Ctrl-C (SIGINT) and SIGTERM during a step: the step is finished or undone, `current` names what
// runs, the lock is released, and the CLI exits 128 + the signal's number.

let dir: string;
let cleanup: () => Promise<void>;
const store = ["--store", "store"];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  for (const v of ["1.0.0", "2.0.0"]) {
    expect(
      (await deploykit(["publish", await makeArtifact(dir, "hello", v), ...store], { cwd: dir })).exitCode,
    ).toBe(0);
  }
});
afterAll(() => cleanup());

/** Runs the CLI with --json and sends `signal` when an event line matching `when` appears. */
async function interrupt(args: string[], when: { type: string; step: string }, signal: NodeJS.Signals) {
  const run = execa("node", [CLI, ...args, "--json"], {
    cwd: dir,
    env: cleanEnv(),
    extendEnv: false,
    reject: false,
  });
  let sent = false;
  let buffer = "";
  run.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      const event = JSON.parse(line) as { type?: string; step?: string };
      if (!sent && event.type === when.type && event.step === when.step) {
        sent = true;
        run.kill(signal);
      }
    }
  });
  const result = await run;
  expect(sent).toBe(true);
  return result;
}

async function hostState(root: string) {
  const state = JSON.parse(await readFile(join(root, ".deploykit", "state.json"), "utf8"));
  return {
    current: basename(await readlink(join(root, "current"))),
    stateCurrent: state.current as string,
    locked: existsSync(join(root, ".deploykit", "lock")),
    staging: (await readdir(join(root, "releases"))).filter((n) => n.startsWith(".")),
  };
}

describe("signals", () => {
  it("SIGINT during the health gate of a release that never answers: exit 130, current and state.json back on the old one, lock released", async () => {
    const root = join(dir, "gate");
    const base = ["--app", "hello", "--root", root, "--strategy", "command", "--command", "true"];
    expect(
      (await deploykit(["deploy", ...store, ...base, "--version", "1.0.0"], { cwd: dir })).exitCode,
    ).toBe(0);
    const run = await interrupt(
      ["deploy", ...store, ...base, "--version", "2.0.0", "--healthcheck", "http://127.0.0.1:9/health"],
      { type: "step:start", step: "healthcheck" },
      "SIGINT",
    );
    expect(run.exitCode, String(run.stderr)).toBe(130);
    // 2.0.0 never answered its health URL, so the abort switched back to 1.0.0 and restarted it.
    expect(await hostState(root)).toEqual({
      current: "1.0.0",
      stateCurrent: "1.0.0",
      locked: false,
      staging: [],
    });
  });

  it("SIGTERM during the install: exit 143, current and state.json agree, no staging left, lock released", async () => {
    const root = join(dir, "unpack");
    const base = ["--app", "hello", "--root", root];
    expect(
      (await deploykit(["install", ...store, ...base, "--version", "1.0.0"], { cwd: dir })).exitCode,
    ).toBe(0);
    const run = await interrupt(
      ["install", ...store, ...base, "--version", "2.0.0"],
      { type: "step:start", step: "unpack" },
      "SIGTERM",
    );
    expect(run.exitCode, String(run.stderr)).toBe(143);
    // Undone (1.0.0) when the signal came before the unpack ended, else finished (2.0.0).
    const after = await hostState(root);
    expect(after).toEqual({
      current: after.stateCurrent,
      stateCurrent: after.stateCurrent,
      locked: false,
      staging: [],
    });
  });

  it("SIGINT during a process restart: exit 130, and the release current names is the one answering on the port", async () => {
    const root = join(dir, "restart");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const base = ["--app", "hello", "--root", root, "--strategy", "process", "--port", String(port)];
    try {
      const first = await deploykit(
        ["deploy", ...store, ...base, "--version", "1.0.0", "--healthcheck", url],
        {
          cwd: dir,
        },
      );
      expect(first.exitCode, first.stderr).toBe(0);
      const run = await interrupt(
        ["deploy", ...store, ...base, "--version", "2.0.0", "--healthcheck", url],
        { type: "step:start", step: "restart" },
        "SIGINT",
      );
      expect(run.exitCode, String(run.stderr)).toBe(130);
      const after = await hostState(root);
      expect(after).toMatchObject({ current: after.stateCurrent, locked: false });
      // What answers on the port is the release `current` names (the restart was not cut in half).
      expect(await (await fetch(url)).text()).toBe(after.current);
      expect(String(run.stdout)).toContain(`current points at ${after.current}, which runs`);
    } finally {
      const pid = Number(await readFile(join(root, "shared/tmp/pids/web.pid"), "utf8").catch(() => "0"));
      if (pid > 0) {
        try {
          process.kill(-pid, "SIGTERM");
        } catch {}
      }
    }
  });
});
