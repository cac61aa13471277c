import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DeployEvent } from "@deploykit/core";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonReporter } from "../src/output/json-reporter";
import { makeArtifact } from "./support/artifact";
import { cleanEnv, deploykit, jsonLines, tempDir } from "./support/cli";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI colour sequences
const COLOR = /\x1b\[\d+m/;

/** Issue 14's numbered inputs, each as a command line that once did the wrong thing silently. */
describe("operator regressions (issue 14)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  let artifact: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    store = join(dir, "store");
    artifact = await makeArtifact(dir, "hello", "1.0.0");
    expect((await deploykit(["publish", artifact, "--store", store])).exitCode).toBe(0);
    const second = await makeArtifact(dir, "hello", "2.0.0");
    expect((await deploykit(["publish", second, "--store", store])).exitCode).toBe(0);
  });
  afterAll(() => cleanup());

  /** A fresh work dir with a host root that has 1.0.0 then 2.0.0 installed. */
  async function hostWithTwoReleases(name: string): Promise<string> {
    const cwd = join(dir, name);
    await mkdir(cwd);
    for (const version of ["1.0.0", "2.0.0"]) {
      const run = await deploykit(
        ["install", "--store", store, "--app", "hello", "--version", version, "--root", "host"],
        { cwd },
      );
      expect(run.exitCode, run.stderr).toBe(0);
    }
    return cwd;
  }

  it("1. rollback without a strategy says loudly that nothing was restarted; with the config's strategy it restarts", async () => {
    const cwd = await hostWithTwoReleases("rollback");
    const bare = await deploykit(["rollback", "--root", "host"], { cwd });
    expect(bare.exitCode).toBe(0);
    expect(bare.stdout).toContain("NOT restarted");
    expect(bare.stderr).toContain("Nothing was restarted");

    const marker = join(cwd, "restarted");
    await writeFile(
      join(cwd, "deploykit.config.json"),
      JSON.stringify({ root: "host", strategy: { name: "command", restart: `echo done > '${marker}'` } }),
    );
    const configured = await deploykit(["rollback", "--version", "2.0.0"], { cwd });
    expect(configured.exitCode, configured.stderr).toBe(0);
    expect(configured.stdout).toContain("restarted (command)");
    expect(await readFile(marker, "utf8")).toBe("done\n");
  });

  it("1. --strategy command without --command exits 2 before anything is written (it switched, then failed)", async () => {
    const cwd = join(dir, "no-command");
    await mkdir(cwd);
    const run = await deploykit(
      [
        "deploy",
        "--store",
        store,
        "--app",
        "hello",
        "--version",
        "1.0.0",
        "--root",
        "host",
        "--strategy",
        "command",
      ],
      { cwd },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/restart .* is required.*\[E_INVALID_INPUT\]/);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("2. a store URL with a scheme deploykit cannot use is refused (exit 2) and nothing is written", async () => {
    const cwd = join(dir, "schemes");
    await mkdir(cwd);
    for (const spec of ["s3:/mybucket/rel", "ftp://x/y", "https://example.invalid/releases", "s3://"]) {
      const run = await deploykit(["publish", artifact, "--store", spec], { cwd });
      expect(run.exitCode, spec).toBe(2);
      expect(run.stderr).toContain("[E_USAGE]");
      expect(run.stderr).toContain("s3://bucket/prefix");
    }
    expect(await readdir(cwd)).toEqual([]);
  });

  it("3. build --version with an empty or missing value is a usage error, not 0.0.0", async () => {
    const app = join(dir, "app3");
    await mkdir(app);
    await writeFile(join(app, "Procfile"), "web: node server.js\n");
    for (const args of [["--version", ""], ["--version"], ["--version="]]) {
      const run = await deploykit(["build", app, "--out-dir", app, ...args]);
      expect(run.exitCode, args.join(" ")).toBe(2);
      expect(run.stderr).toContain("--version needs a value");
    }
    expect((await readdir(app)).sort()).toEqual(["Procfile"]);
  });

  it("4. --json is NDJSON whose last line is the outcome, with progress thinned to 4 per second", () => {
    const written: string[] = [];
    const stdout = { write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const reporter = jsonReporter({ stdout, stderr: stdout, cwd: dir }, { debug: false });
    const total = 60_000_000;
    const progress = (bytes: number): DeployEvent => ({ type: "progress", step: "download", bytes, total });
    reporter.onEvent({ type: "step:start", step: "download", message: "Downloading" });
    for (let part = 1; part <= 916; part++) reporter.onEvent(progress(Math.round((part * total) / 917)));
    reporter.error(new Error("connection reset"));
    reporter.onEvent(progress(total));
    reporter.close();
    const lines = written.join("").split("\n").filter(Boolean);
    const parsed = lines.map((line) => JSON.parse(line) as { type: string });
    expect(parsed.filter((e) => e.type === "progress").length).toBeLessThanOrEqual(2);
    expect(parsed.at(-1)).toMatchObject({ type: "error", code: "E_INTERNAL" });
  });

  it("4. --json failure from the binary: the last line is the error", async () => {
    const run = await deploykit(["publish", join(dir, "nope.tgz"), "--store", store, "--json"]);
    expect(run.exitCode).toBe(1);
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({ type: "error", code: "E_NOT_FOUND" });
  });

  it("5. releases of a root or store that does not exist is an error, not (none)", async () => {
    const root = await deploykit(["releases", "--root", "./nonexist"], { cwd: dir });
    expect(root.exitCode).toBe(1);
    expect(root.stderr).toContain("[E_NOT_FOUND]");
    expect(root.stdout).not.toContain("(none)");
    const missingStore = await deploykit(["releases", "--store", "./nostore", "--app", "hello"], {
      cwd: dir,
    });
    expect(missingStore.exitCode).toBe(1);
    expect(missingStore.stderr).toContain("[E_NOT_FOUND]");
  });

  it("6. a store or root that is a file is a typed error; a missing artifact is named as such", async () => {
    await writeFile(join(dir, "a-file"), "not a directory\n");
    const rootFile = await deploykit(["releases", "--root", "a-file"], { cwd: dir });
    expect(rootFile.stderr).toContain("[E_NOT_A_DIRECTORY]");
    const storeFile = await deploykit(["publish", artifact, "--store", "a-file"], { cwd: dir });
    expect(storeFile.stderr).toContain("[E_NOT_A_DIRECTORY]");
    const installInto = await deploykit(
      ["install", "--store", store, "--app", "hello", "--version", "1.0.0", "--root", "a-file/host"],
      { cwd: dir },
    );
    expect(installInto.stderr).toContain("[E_NOT_A_DIRECTORY]");
    for (const run of [rootFile, storeFile, installInto]) expect(run.stderr).not.toContain("E_INTERNAL");

    const corrupt = await hostWithTwoReleases("corrupt-state");
    await writeFile(join(corrupt, "host", ".deploykit", "state.json"), "{ not json");
    const damaged = await deploykit(["releases", "--root", "host"], { cwd: corrupt });
    expect(damaged.exitCode).toBe(1);
    expect(damaged.stderr).toContain("[E_STATE_CORRUPT]");

    const nope = await deploykit(["publish", "dist/nope.tgz", "--store", store], { cwd: dir });
    expect(nope.exitCode).toBe(1);
    expect(nope.stderr).toContain("The artifact");
    expect(nope.stderr).toContain("[E_NOT_FOUND]");
    expect(nope.stderr).not.toContain("manifest");
  });

  it("7. --version v2 exits 2; --keep is documented as a total", async () => {
    const run = await deploykit(
      ["install", "--store", store, "--app", "hello", "--version", "v2", "--root", "h"],
      {
        cwd: dir,
      },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("[E_INVALID_VERSION]");
    // A value the SDK refuses as bad input is a malformed command line too: exit 2.
    const keep = await deploykit(
      ["install", "--store", store, "--app", "hello", "--version", "2.0.0", "--root", "h", "--keep", "0"],
      { cwd: dir },
    );
    expect(keep.exitCode).toBe(2);
    expect(keep.stderr).toContain("[E_INVALID_INPUT]");
    const help = await deploykit(["install", "--help"]);
    expect(help.stdout).toContain("in total");
    expect(help.stdout).not.toContain("besides the live");
  });

  it("7. deploying the live version says unchanged and restarts nothing unless asked", async () => {
    const cwd = await hostWithTwoReleases("unchanged");
    const counter = join(cwd, "restarts");
    const deploy = (...extra: string[]) =>
      deploykit(
        [
          "deploy",
          ...["--store", store, "--app", "hello", "--version", "2.0.0", "--root", "host"],
          ...["--strategy", "command", "--command", `echo x >> '${counter}'`],
          ...extra,
        ],
        { cwd },
      );
    const same = await deploy();
    expect(same.exitCode, same.stderr).toBe(0);
    expect(same.stdout).toContain("(unchanged)");
    await expect(readFile(counter, "utf8")).rejects.toThrow();
    const forced = await deploy("--restart-unchanged");
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(await readFile(counter, "utf8")).toBe("x\n");
  });

  it("7. the default out dir never packs earlier builds, and a packed .env is warned about", async () => {
    const app = join(dir, "app7");
    await mkdir(app);
    await writeFile(join(app, "Procfile"), "web: node server.js\n");
    await writeFile(join(app, ".env"), "SECRET=local\n");
    for (const version of ["1.0.0", "1.0.1"]) {
      const run = await deploykit(["build", "--version", version], { cwd: app });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toContain(".env will be packed");
    }
    const listing = await execa("tar", ["-tzf", join(app, "app7_1.0.1.tgz")]);
    expect(listing.stdout).not.toContain("app7_1.0.0");
    // Built elsewhere (CI's dist/), the earlier builds lying in the app are not packed either.
    const elsewhere = await deploykit(["build", "--version", "1.0.2", "--out-dir", "../dist7"], { cwd: app });
    expect(elsewhere.exitCode, elsewhere.stderr).toBe(0);
    const packed = await execa("tar", ["-tzf", join(dir, "dist7", "app7_1.0.2.tgz")]);
    expect(packed.stdout).toContain("Procfile");
    expect(packed.stdout).not.toMatch(/app7_1\.0\.[01]/);
  });

  it("7. -v/-V/--version, help, help deploy, and did-you-mean for commands and flags", async () => {
    for (const flag of ["-v", "-V", "--version"]) {
      const run = await deploykit([flag]);
      expect(run.exitCode, flag).toBe(0);
      expect(run.stdout).toMatch(/^\d+\.\d+\.\d+/);
    }
    const help = await deploykit(["help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("--version");
    const helpDeploy = await deploykit(["help", "deploy"]);
    expect(helpDeploy.exitCode).toBe(0);
    expect(helpDeploy.stdout).toContain("--strategy");
    const typo = await deploykit(["deplyo"]);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain("Did you mean deploy?");
    const flag = await deploykit(["deploy", "--chanel", "production"]);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain("Did you mean --channel?");
  });

  it("7. an empty NO_COLOR= does not turn colour off (no-color.org); a non-empty one does", async () => {
    const run = (env: Record<string, string>) =>
      deploykit(["releases", "--root", "nonexist"], { cwd: dir, env });
    expect((await run(cleanEnv({ FORCE_COLOR: "1", NO_COLOR: "" }))).stderr).toMatch(COLOR);
    expect((await run(cleanEnv({ FORCE_COLOR: "1", NO_COLOR: "1" }))).stderr).not.toMatch(COLOR);
  });

  it("8. a strategy flag the strategy has no option for is refused; seconds-valued names warn", async () => {
    const cwd = await hostWithTwoReleases("strategy-options");
    const restart = (...extra: string[]) =>
      deploykit(["restart", "--root", "host", "--strategy", "command", "--command", "true", ...extra], {
        cwd,
      });
    const workers = await restart("--workers", "2");
    expect(workers.exitCode).toBe(2);
    expect(workers.stderr).toContain("has no option workers");
    expect(workers.stderr).toContain("restart, status, stop, healthcheck, cwd, timeoutMs, name");
    const seconds = await restart("--timeout", "10");
    expect(seconds.exitCode, seconds.stderr).toBe(0);
    expect(seconds.stderr).toContain('use "timeoutMs": 10000');
    const ms = await restart("--timeout-ms", "10000");
    expect(ms.exitCode, ms.stderr).toBe(0);
    expect(ms.stderr).not.toContain("deprecated");
  });
});
