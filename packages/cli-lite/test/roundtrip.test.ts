import { readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { deploykit, jsonLines, tempDir } from "./support/cli";

describe("publish → install on a filesystem store", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let v1: string;
  let v2: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    v1 = await makeArtifact(dir, "hello", "1.0.0");
    v2 = await makeArtifact(dir, "hello", "1.1.0");
  });
  afterAll(() => cleanup());

  it("publishes with --json: one event per line, then the result", async () => {
    const run = await deploykit([
      "publish",
      v1,
      "--store",
      join(dir, "store"),
      "--channel",
      "production",
      "--json",
    ]);
    expect(run.exitCode).toBe(0);
    const lines = jsonLines(run.stdout);
    const result = lines.at(-1);
    expect(result).toMatchObject({ type: "result", command: "publish", result: { unchanged: false } });
    const events = lines.slice(0, -1);
    expect(events.map((e) => e.type)).toContain("step:start");
    expect(
      events.filter((e) => e.type === "step:finish").every((e) => typeof e.durationMs === "number"),
    ).toBe(true);
    expect(events.some((e) => e.type === "progress" && e.step === "upload")).toBe(true);
    expect(run.stderr).toBe("");
  });

  it("says unchanged when the same bytes are published again", async () => {
    const run = await deploykit(["publish", v1, "--store", `file://${join(dir, "store")}`]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("already published");
  });

  it("installs the channel's version from a config file, and a flag overrides it", async () => {
    await writeFile(
      join(dir, "deploykit.config.yml"),
      "store: store\napp: hello\nroot: host\nchannel: production\nkeep: 3\n",
    );
    const first = await deploykit(["install"], { cwd: dir });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain("Installed hello 1.0.0");
    expect(await readlink(join(dir, "host", "current"))).toContain("1.0.0");

    // The config's channel applies to publish too: production moves to 1.1.0.
    expect((await deploykit(["publish", v2], { cwd: dir })).exitCode).toBe(0);
    const second = await deploykit(["install", "--version", "1.1.0", "--json"], { cwd: dir });
    expect(second.exitCode, second.stdout).toBe(0);
    expect(jsonLines(second.stdout).at(-1)).toMatchObject({
      type: "result",
      command: "install",
      result: { release: { version: "1.1.0" }, previous: { version: "1.0.0" }, unchanged: false },
    });
    expect(await readlink(join(dir, "host", "current"))).toContain("1.1.0");
  });

  it("lists installed and published releases", async () => {
    const run = await deploykit(["releases", "--json"], { cwd: dir });
    expect(run.exitCode, run.stdout).toBe(0);
    const { result } = jsonLines(run.stdout).at(-1) as {
      result: { installed: { current: string }; published: unknown };
    };
    expect(result.installed.current).toBe("1.1.0");
    expect(result.published).toMatchObject({
      versions: ["1.0.0", "1.1.0"],
      channels: { production: "1.1.0" },
    });
    const human = await deploykit(["releases"], { cwd: dir });
    expect(human.stdout).toMatch(/\* 1\.1\.0 \(live\)/);
    expect(human.stdout).toMatch(/1\.1\.0 {2}← production/);
  });

  it("rolls back to the previous release without the network", async () => {
    const run = await deploykit(["rollback", "--root", "host", "--config", "deploykit.config.yml"], {
      cwd: dir,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("Rolled back to hello 1.0.0");
    expect(await readlink(join(dir, "host", "current"))).toContain("1.0.0");
  });

  it("refuses a config file with an unknown key", async () => {
    await writeFile(join(dir, "bad.yml"), "stor: store\n");
    const run = await deploykit(["releases", "--config", "bad.yml"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("unknown key(s) stor");
  });
});
