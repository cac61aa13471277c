import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { cleanEnv, deploykit, jsonLines, tempDir } from "./support/cli";

// A fresh-eyes tester's findings on strategy flags, global flags and their messages: every bad
// value is refused with exit 2 before anything is written, naming the values it could be.
let dir: string;
let cleanup: () => Promise<void>;
let store: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("dk-strategy-flags-"));
  store = join(dir, "store");
  const artifact = await makeArtifact(dir, "hello", "1.0.0");
  expect((await deploykit(["publish", artifact, "--store", store])).exitCode).toBe(0);
  await writeFile(join(dir, "deploykit.yml"), `store: ${store}\napp: hello\n`);
});
afterAll(() => cleanup());

const deploy = (root: string, ...flags: string[]) =>
  deploykit(["deploy", "--app", "hello", "--version", "1.0.0", "--store", store, "--root", root, ...flags], {
    cwd: dir,
  });

describe("strategy options with a closed set of values are checked before anything is written", () => {
  it.each([
    [
      "signal HUPP",
      ["--strategy", "signal", "--pid-file", "s.pid", "--signal", "HUPP"],
      "Did you mean SIGHUP?",
    ],
    ["signal 0", ["--strategy", "signal", "--pid-file", "s.pid", "--signal", "0"], "SIGUSR1"],
    [
      "signal HUP",
      ["--strategy", "signal", "--pid-file", "s.pid", "--signal", "HUP"],
      "Did you mean SIGHUP?",
    ],
    [
      "systemd restrat",
      ["--strategy", "systemd", "--service", "web.service", "--action", "restrat"],
      "Did you mean restart? Use one of: restart, reload, reload-or-restart.",
    ],
    [
      "sysv relaod",
      ["--strategy", "sysv", "--service", "web", "--action", "relaod"],
      "Use one of: restart, reload.",
    ],
    [
      "upstart stop",
      ["--strategy", "upstart", "--service", "web", "--action", "stop"],
      "Use one of: restart, reload.",
    ],
    ["unicorn upgrdae", ["--strategy", "unicorn", "--mode", "upgrdae"], "Did you mean upgrade?"],
  ])("%s: exit 2, E_INVALID_INPUT listing the values, no release switched", async (label, flags, hint) => {
    const root = join(dir, `host-${label.replace(/\W/g, "-")}`);
    const run = await deploy(root, ...flags);
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toContain("[E_INVALID_INPUT]");
    expect(run.stderr).toContain(hint);
    expect(existsSync(join(root, "current"))).toBe(false);
    expect(existsSync(join(root, "releases"))).toBe(false);
  });

  it("--dry-run refuses a bad --action too", async () => {
    const run = await deploy(
      join(dir, "host-dry"),
      "--strategy",
      "systemd",
      "--service",
      "web.service",
      "--action",
      "restrat",
      "--dry-run",
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("action cannot be");
  });

  it("an unknown strategy suggests the one meant", async () => {
    const run = await deploy(join(dir, "host-procss"), "--strategy", "procss");
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Did you mean process?");
  });

  it("rollback --healthcheck without a strategy is refused, not ignored", async () => {
    const root = join(dir, "host-rollback");
    const install = ["install", "--root", root, "--app", "hello", "--version", "1.0.0", "--store", store];
    expect((await deploykit(install, { cwd: dir })).exitCode).toBe(0);
    for (const flag of ["--healthcheck", "--healthcheck-timeout"]) {
      const value = flag === "--healthcheck" ? "http://127.0.0.1:9/" : "5";
      const run = await deploykit(["rollback", "--root", root, flag, value], { cwd: dir });
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).toContain(`${flag} needs --strategy`);
    }
  });
});

describe("global flags before the command, as `deploykit --help` lists them", () => {
  it("--config FILE and --config=FILE, with --json/--debug around them", async () => {
    for (const flags of [
      ["--config", "deploykit.yml"],
      ["--config=deploykit.yml"],
      ["--json", "--config", "deploykit.yml", "--debug"],
    ]) {
      const run = await deploykit([...flags, "releases", "--json"], { cwd: dir });
      expect(run.exitCode, `${flags.join(" ")}: ${run.stderr}`).toBe(0);
      const result = jsonLines(run.stdout).at(-1) as { result: { published: { versions: string[] } } };
      expect(result.result.published.versions).toEqual(["1.0.0"]);
    }
  });

  it("global flags and no command: 'No command given', not the file taken for a command", async () => {
    const run = await deploykit(["--config", "deploykit.yml", "--json"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({ code: "E_USAGE", message: "No command given." });
  });
});

describe("messages", () => {
  it("a config key typo names the key meant", async () => {
    await writeFile(join(dir, "typo.yml"), "stratgy: process\n");
    const run = await deploykit(["releases", "--config", "typo.yml", "--store", store], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("unknown key(s) stratgy");
    expect(run.stderr).toContain("Did you mean strategy?");
  });

  it("one rollout flag without --inventory: '--batch only works with --inventory'", async () => {
    const run = await deploy(join(dir, "host-batch"), "--strategy", "process", "--batch", "2");
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("--batch only works with --inventory.");
  });

  it("an S3 store with no region is refused before any request, naming --region and AWS_REGION", async () => {
    const env = cleanEnv({ AWS_CONFIG_FILE: join(dir, "no-aws-config"), AWS_ACCESS_KEY_ID: "x" });
    for (const key of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"]) delete env[key];
    env.AWS_SECRET_ACCESS_KEY = "x";
    const run = await deploykit(["releases", "--store", "s3://releases/deploykit", "--app", "hello"], {
      env,
    });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toContain("[E_INVALID_INPUT]");
    expect(run.stderr).toContain("--region");
    expect(run.stderr).toContain("AWS_REGION");
  });
});
