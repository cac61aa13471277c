import { mkdir, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { deploykit, jsonLines, tempDir } from "./support/cli";

/**
 * An operator's session against a real host root and filesystem store: three published
 * versions, two installed, then the day-two commands in the order someone on call reaches for them.
 */
describe("operator walkthrough: status, logs, promote, prune, lock, help", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const run = (...args: string[]) => deploykit(args, { cwd: dir });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeFile(join(dir, "deploykit.config.yml"), "store: store\napp: hello\nroot: host\n");
    for (const version of ["1.0.0", "1.1.0", "1.2.0"]) {
      const artifact = await makeArtifact(dir, "hello", version);
      expect((await run("publish", artifact)).exitCode).toBe(0);
    }
    for (const version of ["1.0.0", "1.1.0", "1.2.0"]) {
      const installed = await run("install", "--version", version);
      expect(installed.exitCode, installed.stderr).toBe(0);
    }
    await mkdir(join(dir, "host", "shared", "log"), { recursive: true });
    await writeFile(join(dir, "host", "shared", "log", "web.log"), "booting\nlistening on 3000\nGET / 200\n");
    await mkdir(join(dir, "host", "shared", "tmp", "pids"), { recursive: true });
    await writeFile(join(dir, "host", "shared", "tmp", "pids", "web.pid"), `${process.pid}\n`);
  });
  afterAll(() => cleanup());

  it("status shows live, previous, the lock, the processes through the strategy, and the last deploys", async () => {
    const pidFile = join(dir, "host", "shared", "tmp", "pids", "web.pid");
    const human = await run("status", "--strategy", "signal", "--pid-file", pidFile);
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/live: +1\.2\.0/);
    expect(human.stdout).toMatch(/previous: +1\.1\.0/);
    expect(human.stdout).toMatch(/lock: +free/);
    // The strategy was asked (its pid-file check now also verifies the program's name, which
    // the test runner's pid does not match, so up or DOWN both prove the call went through).
    expect(human.stdout).toMatch(/processes: (up|DOWN) \(signal/);
    expect(human.stdout).toMatch(/install 1\.2\.0 \(from 1\.1\.0\)/);
    const json = jsonLines((await run("status", "--json")).stdout).at(-1);
    expect(json).toMatchObject({
      type: "result",
      command: "status",
      result: { live: { version: "1.2.0" }, previous: { version: "1.1.0" }, lock: { held: false } },
    });
  });

  it("logs tails shared/log", async () => {
    const logs = await run("logs", "-n", "2");
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stdout).toBe("==> web.log <==\nlistening on 3000\nGET / 200\n");
    // A typo names the files that are there, not the typo.
    const typo = await run("logs", "--file", "wbe.log");
    expect(typo.exitCode).toBe(1);
    expect(typo.stderr).toContain("Files there: web.log.");
  });

  it("promote moves a channel to a published version; an unpublished one is refused", async () => {
    const promoted = await run("promote", "1.1.0", "--channel", "production");
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    expect(promoted.stdout).toContain("Channel production of hello → 1.1.0.");
    const missing = await run("promote", "9.9.9", "--channel", "production");
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("[E_NOT_FOUND]");
    const releases = await run("releases");
    expect(releases.stdout).toMatch(/1\.1\.0 {2}← production/);
  });

  it("--dry-run on install, deploy and rollback prints the plan and writes nothing", async () => {
    const state = join(dir, "host", ".deploykit", "state.json");
    const before = {
      state: await readFile(state, "utf8"),
      current: await readlink(join(dir, "host", "current")),
    };
    const install = await run("install", "--channel", "production", "--dry-run");
    expect(install.exitCode, install.stderr).toBe(0);
    expect(install.stdout).toContain("Would install hello 1.1.0");
    expect(install.stdout).toContain("current 1.2.0 → 1.1.0");
    const deploy = await run(
      "deploy",
      "--version",
      "1.0.0",
      "--strategy",
      "command",
      "--command",
      "false",
      "--dry-run",
    );
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain("Would restart with command.");
    const rollback = await run("rollback", "--dry-run");
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain("current 1.2.0 → 1.1.0");
    expect(rollback.stdout).toContain("Dry run: nothing was written.");
    expect({
      state: await readFile(state, "utf8"),
      current: await readlink(join(dir, "host", "current")),
    }).toEqual(before);
    await expect(readFile(join(dir, "host", ".deploykit", "lock"))).rejects.toThrow();
  });

  it("prune --dry-run lists what prune then removes, never a channel's version", async () => {
    const listing = async () => ({
      releases: (await readdir(join(dir, "host", "releases"))).filter((n) => !n.startsWith(".")).sort(),
      store: (
        jsonLines((await run("releases", "--json")).stdout).at(-1) as {
          result: { published: { versions: string[] } };
        }
      ).result.published.versions,
    });
    const before = await listing();
    const args = ["prune", "--keep", "2", "--keep-versions", "1"];
    const dry = await run(...args, "--dry-run");
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("Would remove from");
    expect(dry.stdout).toContain("releases 1.0.0;");
    expect(dry.stdout).toContain("kept for channels: 1.1.0 (production)");
    expect(await listing()).toEqual(before);

    const real = await run(...args);
    expect(real.exitCode, real.stderr).toBe(0);
    expect(await listing()).toEqual({ releases: ["1.1.0", "1.2.0"], store: ["1.1.0", "1.2.0"] });
  });

  it("lock shows a stale holder and releases it", async () => {
    const dead = await execa("sh", ["-c", "echo $$"]);
    const record = {
      pid: Number(dead.stdout),
      host: hostname(),
      since: new Date().toISOString(),
      token: "t1",
    };
    await writeFile(join(dir, "host", ".deploykit", "lock"), JSON.stringify(record));
    const shown = await run("lock");
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`Locked by pid ${record.pid}`);
    expect(shown.stdout).toContain("which is gone");
    const released = await run("lock", "--release");
    expect(released.exitCode, released.stderr).toBe(0);
    expect(released.stdout).toContain("Released the lock");
    expect((await run("lock")).stdout).toContain("is not locked");
  });

  it("help deploy, and suggestions for a typo'd command and flag", async () => {
    const help = await run("help", "deploy");
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("deploykit deploy");
    expect(help.stdout).toContain("--restart-unchanged");
    const command = await run("statsu");
    expect(command.exitCode).toBe(2);
    expect(command.stderr).toContain("Did you mean status?");
    const flag = await run("prune", "--dryrun");
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain("Did you mean --dry-run?");
  });

  it("--json: a failing command's last line is the error", async () => {
    const failed = await run("promote", "2.0.0", "--channel", "production", "--json");
    expect(failed.exitCode).toBe(1);
    const lines = jsonLines(failed.stdout);
    expect(lines.at(-1)).toMatchObject({ type: "error", code: "E_NOT_FOUND" });
  });

  it("completion prints bash and zsh scripts that know the commands and their flags", async () => {
    const bash = await run("completion", "bash");
    expect(bash.stdout).toContain("complete -o default -F _deploykit deploykit");
    expect(bash.stdout).toContain("--keep-versions");
    await execa("bash", ["-n"], { input: bash.stdout });
    const zsh = await run("completion", "zsh");
    expect(zsh.stdout).toContain("compdef _deploykit deploykit");
  });
});
