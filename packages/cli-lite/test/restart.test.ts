import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { makeArtifact } from "./support/artifact";
import { deploykit, jsonLines, tempDir } from "./support/cli";

describe("restart", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: ResultPromise | undefined;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const artifact = await makeArtifact(dir, "hello", "1.0.0");
    const store = ["--store", "store"];
    expect((await deploykit(["publish", artifact, ...store], { cwd: dir })).exitCode).toBe(0);
    const args = ["install", ...store, "--app", "hello", "--version", "1.0.0", "--root", "host"];
    expect((await deploykit(args, { cwd: dir })).exitCode).toBe(0);
  });
  afterAll(async () => {
    server?.kill("SIGKILL");
    await cleanup();
  });

  it("runs the command in the live release; --verbose shows its output", async () => {
    const script = "cat version.json > ../../restarted; echo restarted-ok";
    const run = await deploykit(
      ["restart", "--root", "host", "--strategy", "command", "--command", script, "--verbose"],
      {
        cwd: dir,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/restart │ restarted-ok/);
    expect(await readFile(join(dir, "host", "restarted"), "utf8")).toBe('"1.0.0"');
    const quiet = await deploykit(
      ["restart", "--root", "host", "--strategy", "command", "--command", script],
      { cwd: dir },
    );
    expect(quiet.stderr).not.toContain("restarted-ok");
  });

  it("a failing command is E_COMMAND_FAILED (exit 1); the log lines are events under --json", async () => {
    const run = await deploykit(
      [
        "restart",
        "--root",
        "host",
        "--strategy",
        "command",
        "--command",
        "echo about-to-fail; exit 3",
        "--json",
      ],
      { cwd: dir },
    );
    expect(run.exitCode).toBe(1);
    const lines = jsonLines(run.stdout);
    expect(lines).toContainEqual(expect.objectContaining({ type: "log", line: "about-to-fail" }));
    expect(lines.at(-1)).toMatchObject({ type: "error", code: "E_COMMAND_FAILED" });
  });

  it("an unknown strategy is a usage error", async () => {
    const run = await deploykit(["restart", "--root", "host", "--strategy", "launchd"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("systemd");
  });

  it("--strategy signal sends --signal to the process in --pid-file", async () => {
    const marker = join(dir, "got-signal");
    const pidFile = join(dir, "server.pid");
    const program = `process.on("SIGUSR2", () => require("node:fs").writeFileSync(${JSON.stringify(marker)}, "USR2"));
      require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`;
    server = execa("node", ["-e", program], { reject: false });
    await eventually("the test server to write its pid file", () =>
      readFile(pidFile, "utf8").catch(() => ""),
    );
    const args = [
      "restart",
      "--root",
      "host",
      "--strategy",
      "signal",
      "--pid-file",
      pidFile,
      "--signal",
      "SIGUSR2",
    ];
    const run = await deploykit([...args, "--timeout", "10"], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    await eventually(
      "SIGUSR2 to arrive",
      async () => (await readFile(marker, "utf8").catch(() => "")) === "USR2",
    );
  });
});
