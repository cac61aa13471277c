import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { freePort } from "../../../test-support/ports";
import { makeArtifact } from "./support/artifact";
import { deploykit, jsonLines, tempDir } from "./support/cli";

describe("deploy with the process strategy from a config file", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let url: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    await writeFile(
      join(dir, "deploykit.config.json"),
      JSON.stringify({
        store: "store",
        app: "hello",
        root: "host",
        strategy: { name: "process", port, startTimeoutMs: 15_000, stopTimeoutMs: 5000 },
        healthcheck: { url, timeoutMs: 15_000 },
      }),
    );
    for (const [version, crash] of [
      ["1.0.0", false],
      ["2.0.0", true],
      ["3.0.0", false],
    ] as const) {
      const artifact = await makeArtifact(dir, "hello", version, { crash });
      expect((await deploykit(["publish", artifact], { cwd: dir })).exitCode).toBe(0);
    }
  });

  afterAll(async () => {
    const pid = Number(await readFile(join(dir, "host/shared/tmp/pids/web.pid"), "utf8").catch(() => "0"));
    if (pid > 0) {
      try {
        process.kill(-pid, "SIGTERM");
      } catch {}
    }
    await cleanup();
  });

  it("deploys v1 and it answers", async () => {
    const run = await deploykit(["deploy", "--version", "1.0.0"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("Deployed hello 1.0.0 and restarted (process)");
    expect(await (await fetch(url)).text()).toBe("1.0.0");
  });

  it("a v2 that crashes at boot exits 1, reports the rollback, and v1 answers again", async () => {
    const run = await deploykit(["deploy", "--version", "2.0.0", "--json"], { cwd: dir });
    expect(run.exitCode).toBe(1);
    const lines = jsonLines(run.stdout);
    expect(lines.some((e) => e.type === "warning" && e.step === "rollback")).toBe(true);
    expect(lines.at(-1)).toMatchObject({
      type: "result",
      command: "deploy",
      result: { rolledBack: true, release: { version: "1.0.0" }, cause: { code: "E_RESTART_FAILED" } },
    });
    expect(await (await fetch(url)).text()).toBe("1.0.0");
  });

  it("human output names the early exit's code instead of a readiness timeout", async () => {
    const run = await deploykit(["deploy", "--version", "2.0.0"], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toMatch(/exited with code 3 before it was ready/);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/did not become ready/);
  });

  it("--healthcheck-timeout bounds the wait for the health URL, which reports the real connection error", async () => {
    const closed = `http://127.0.0.1:${await freePort()}/`;
    const started = Date.now();
    const run = await deploykit(
      ["deploy", "--version", "3.0.0", "--healthcheck", closed, "--healthcheck-timeout", "1"],
      { cwd: dir },
    );
    expect(run.exitCode).toBe(1);
    const output = `${run.stdout}${run.stderr}`;
    // The URL is also the process strategy's readiness check: the new process never counted as
    // ready, so the old one was never stopped (the bound is the gate's, 1 s).
    expect(output).toContain("did not become ready in 1000 ms");
    expect(output).toContain("ECONNREFUSED");
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await (await fetch(url)).text()).toBe("1.0.0");
  });

  it("restart restarts the live release with the configured strategy", async () => {
    const pidFile = join(dir, "host/shared/tmp/pids/web.pid");
    const before = await readFile(pidFile, "utf8");
    const run = await deploykit(["restart"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("Restarted hello 1.0.0 with process");
    expect(await readFile(pidFile, "utf8")).not.toBe(before);
    expect(await (await fetch(url)).text()).toBe("1.0.0");
  });

  it("deploying the live version whose app is down (an interrupted deploy) starts it instead of saying unchanged", async () => {
    const pid = Number(await readFile(join(dir, "host/shared/tmp/pids/web.pid"), "utf8"));
    process.kill(-pid, "SIGKILL");
    await eventually("the app to be gone", () =>
      fetch(url).then(
        () => false,
        () => true,
      ),
    );
    const run = await deploykit(["deploy", "--version", "1.0.0", "--json"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(
      lines.some((e) => e.type === "warning" && String(e.message).includes("none of its processes running")),
    ).toBe(true);
    expect(lines.at(-1)).toMatchObject({
      type: "result",
      result: { unchanged: true, restart: { strategy: "process" } },
    });
    expect(await (await fetch(url)).text()).toBe("1.0.0");
    // Running, it is unchanged again: nothing restarted.
    const again = await deploykit(["deploy", "--version", "1.0.0"], { cwd: dir });
    expect(again.stdout).toContain("hello 1.0.0 is already live (unchanged).");
  });

  it("a mistyped --port fails the deploy and the rollback brings v1 back on its own port, gated as it ran", async () => {
    const typo = await freePort();
    const run = await deploykit(
      ["deploy", "--version", "3.0.0", "--port", String(typo), "--healthcheck-timeout", "3", "--json"],
      { cwd: dir },
    );
    expect(run.exitCode).toBe(1);
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({
      type: "result",
      // Caught by the strategy's own readiness check on the health URL, before v1 was stopped.
      result: { rolledBack: true, release: { version: "1.0.0" }, cause: { code: "E_RESTART_FAILED" } },
    });
    expect(await (await fetch(url)).text()).toBe("1.0.0");
    await expect(fetch(`http://127.0.0.1:${typo}/`)).rejects.toThrow();
    const state = JSON.parse(await readFile(join(dir, "host/.deploykit/state.json"), "utf8"));
    expect(state.releases["1.0.0"].startedWith).toMatchObject({
      strategy: "process",
      settings: { strategy: "process", port: Number(new URL(url).port), healthcheck: url },
      healthcheck: { url },
    });
  });

  it("a mistyped --healthcheck URL fails the deploy; v1 comes back behind its own health URL, not the typo", async () => {
    const typo = `http://127.0.0.1:${await freePort()}/healthz`;
    const run = await deploykit(
      ["deploy", "--version", "3.0.0", "--healthcheck", typo, "--healthcheck-timeout", "2", "--json"],
      { cwd: dir },
    );
    expect(run.exitCode).toBe(1);
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({
      type: "result",
      result: { rolledBack: true, release: { version: "1.0.0" } },
    });
    expect(await (await fetch(url)).text()).toBe("1.0.0");
  });
});
