import { readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../test-support/ports";
import { makeArtifact } from "./support/artifact";
import { deploykit, jsonLines, tempDir } from "./support/cli";

// A real app (the process strategy, one `node server.js` answering its version) on a root deployed
// 1.0.0 → 2.0.0 → 3.0.0; the strategy comes from flags, so a command without them restarts nothing.
describe("rollback walks back, status tells which release runs, prune says what it kept", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let url: string;
  let strategy: string[];
  let statusFlags: string[];
  const statusResult = async () => {
    const run = await deploykit(["status", ...statusFlags, "--json"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    return (
      jsonLines(run.stdout).at(-1) as {
        result: { live: { version: string }; processes: Record<string, unknown> };
      }
    ).result;
  };
  const answers = async () => (await fetch(url, { headers: { connection: "close" } })).text();
  const snapshot = async () => ({
    state: await readFile(join(dir, "host/.deploykit/state.json"), "utf8"),
    current: await readlink(join(dir, "host/current")),
  });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    statusFlags = ["--strategy", "process", "--port", String(port)];
    strategy = [...statusFlags, "--healthcheck", url, "--healthcheck-timeout", "15"];
    await writeFile(
      join(dir, "deploykit.config.json"),
      JSON.stringify({ store: "store", app: "hello", root: "host" }),
    );
    for (const version of ["1.0.0", "2.0.0", "3.0.0"]) {
      const artifact = await makeArtifact(dir, "hello", version);
      expect((await deploykit(["publish", artifact], { cwd: dir })).exitCode).toBe(0);
      const run = await deploykit(["deploy", "--version", version, ...strategy], { cwd: dir });
      expect(run.exitCode, run.stderr).toBe(0);
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

  it("two plain rollbacks go 3.0.0 → 2.0.0 → 1.0.0; a third says there is nothing older, names --version, changes nothing", async () => {
    expect(await answers()).toBe("3.0.0");
    const first = await deploykit(["rollback", ...strategy], { cwd: dir });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain("Rolled back to hello 2.0.0");
    expect(await answers()).toBe("2.0.0");

    const second = await deploykit(["rollback", ...strategy], { cwd: dir });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toContain("Rolled back to hello 1.0.0");
    expect(await answers()).toBe("1.0.0");

    const before = await snapshot();
    const third = await deploykit(["rollback", ...strategy], { cwd: dir });
    expect(third.exitCode).toBe(1);
    expect(third.stderr).toContain("[E_NO_PREVIOUS_RELEASE]");
    expect(third.stderr).toContain("no release older than the live 1.0.0");
    expect(third.stderr).toContain("--version");
    expect(await snapshot()).toEqual(before);
    expect(await answers()).toBe("1.0.0");
  });

  it("status says which release the running processes come from, and flags one that is not current", async () => {
    const healthy = await statusResult();
    expect(healthy.live.version).toBe("1.0.0");
    expect(healthy.processes).toMatchObject({ running: true, runningFrom: ["1.0.0"] });
    expect(healthy.processes.mismatch).toBeUndefined();

    // A rollback without a strategy only switches current: the 1.0.0 processes keep serving.
    const bare = await deploykit(["rollback", "--version", "3.0.0"], { cwd: dir });
    expect(bare.exitCode, bare.stderr).toBe(0);
    expect(await answers()).toBe("1.0.0");
    const switched = await statusResult();
    expect(switched.live.version).toBe("3.0.0");
    expect(switched.processes).toMatchObject({ running: true, runningFrom: ["1.0.0"] });
    expect(switched.processes.mismatch).toMatch(/run 1\.0\.0, but current is 3\.0\.0.*deploykit restart/);
    const human = await deploykit(["status", ...statusFlags], { cwd: dir });
    expect(human.stdout).toMatch(/processes: +up \(process, pid \d+\) running 1\.0\.0/);
    expect(human.stdout).toMatch(/MISMATCH: +The processes run 1\.0\.0, but current is 3\.0\.0/);
  });

  it("prune --keep 1 keeps the live release only, and names one kept beyond it because a process still runs from it", async () => {
    const releases = async () =>
      (await readdir(join(dir, "host/releases"))).filter((n) => !n.startsWith(".")).sort();
    // current is 3.0.0; the app still runs from releases/1.0.0 (the rollback above restarted nothing).
    const dry = await deploykit(["prune", "--keep", "1", "--dry-run"], { cwd: dir });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("releases 2.0.0;");
    expect(dry.stdout).toMatch(/Kept beyond --keep 1: 1\.0\.0 \(in use: pid \d+ cwd \S+\/releases\/1\.0\.0/);
    const run = await deploykit(["prune", "--keep", "1", "--json"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    const host = (jsonLines(run.stdout).at(-1) as { result: { host: Record<string, unknown> } }).result.host;
    expect(host).toMatchObject({ releases: ["2.0.0"], kept: [{ version: "1.0.0", reason: "in-use" }] });
    expect(await releases()).toEqual(["1.0.0", "3.0.0"]);
    expect(await answers()).toBe("1.0.0");

    // Restarted on 3.0.0, nothing runs from 1.0.0: --keep 1 leaves exactly one release.
    const restart = await deploykit(["restart", ...statusFlags], { cwd: dir });
    expect(restart.exitCode, restart.stderr).toBe(0);
    expect(await answers()).toBe("3.0.0");
    const again = await deploykit(["prune", "--keep", "1", "--json"], { cwd: dir });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(
      (jsonLines(again.stdout).at(-1) as { result: { host: Record<string, unknown> } }).result.host,
    ).toMatchObject({
      releases: ["1.0.0"],
      kept: [],
    });
    expect(await releases()).toEqual(["3.0.0"]);
  });
});
