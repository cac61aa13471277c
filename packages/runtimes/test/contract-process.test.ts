import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { command, process as processStrategy, signal } from "@deploykit/runtimes";
import { type RuntimeHarness, runtimeContractCases } from "@deploykit/runtimes/testing";
import { describe, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { fixture, freePort } from "./support/host";
import { assertAnswers, hostScenario, scenario } from "./support/scenario";

// The contract kit against process(), command() and signal(), all on real processes.

const processHarness: RuntimeHarness = {
  async setup(kind) {
    const port = await freePort();
    const strategy = processStrategy({ port, startTimeoutMs: 2_000, stopTimeoutMs: 3_000 });
    const built = await hostScenario({ fixture: "node-app", kind, strategy });
    const url = `http://127.0.0.1:${port}/`;
    const pidFile = join(built.host.root, "shared/tmp/pids/web.pid");
    return scenario(built, strategy, {
      timeoutMs: 2_000,
      assertServing: () => assertAnswers(url, "2.0.0"),
      // process() is stop + start: after a failure nothing may be left half-started; when the
      // restart never began (aborted up front) v1 still serves.
      assertSurvived:
        kind === "healthy"
          ? () => assertAnswers(url, "1.0.0")
          : async () => assert.equal(await readFile(pidFile, "utf8").catch(() => "gone"), "gone"),
    });
  },
};

const commandHarness: RuntimeHarness = {
  async setup(kind) {
    const dir = await mkdtemp(join(tmpdir(), "dk-command-"));
    const marker = join(dir, "restarted");
    // A hanging command is an argv: under a shell, `sleep` would keep the output pipes open after
    // the timeout killed the shell.
    const restart = {
      healthy: `touch ${marker}`,
      broken: "echo broken >&2; exit 3",
      hanging: ["sleep", "30"],
    }[kind];
    const strategy = command({ restart, timeoutMs: 1_000 });
    const release = { version: "2.0.0", dir, manifest: {} as never };
    return {
      strategy,
      ctx: { app: "web", root: dir, release },
      timeoutMs: 1_000,
      assertServing: async () => assert.ok(await readFile(marker).then(() => true)),
      assertSurvived: async () => assert.equal(await readFile(marker).catch(() => "none"), "none"),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const signalHarness: RuntimeHarness = {
  async setup(kind) {
    const dir = await mkdtemp(join(tmpdir(), "dk-signal-"));
    const port = await freePort();
    await writeFile(join(dir, "VERSION"), "1.0.0\n");
    await copyFile(join(fixture("node-app"), "server.js"), join(dir, "server.mjs"));
    const server = spawn(process.execPath, [join(dir, "server.mjs")], {
      env: { ...process.env, PORT: String(port) },
      stdio: "ignore",
    });
    const pidFile = join(dir, "server.pid");
    await writeFile(pidFile, kind === "broken" ? "999999\n" : `${server.pid}\n`);
    const url = `http://127.0.0.1:${port}/health`;
    await eventually("the fixture server to start", () =>
      fetch(url).then(
        (r) => r.ok,
        () => false,
      ),
    );
    const healthcheck = kind === "hanging" ? `http://127.0.0.1:${await freePort()}/health` : url;
    const strategy = signal({ pidFile, signal: "SIGHUP", healthcheck, timeout: 1 });
    const release = { version: "2.0.0", dir, manifest: {} as never };
    return {
      strategy,
      ctx: { app: "web", root: dir, release },
      timeoutMs: 1_000,
      assertServing: async () => assert.equal(server.exitCode, null),
      assertSurvived: async () => {
        assert.equal(server.exitCode, null);
        assert.equal((await fetch(url)).status, 200);
      },
      cleanup: async () => {
        server.kill("SIGKILL");
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

for (const [name, harness] of [
  ["process", processHarness],
  ["command", commandHarness],
  ["signal", signalHarness],
] as const) {
  describe(`${name}() passes the runtime contract`, () => {
    for (const contract of runtimeContractCases(harness)) it(contract.name, contract.run, 60_000);
  });
}
