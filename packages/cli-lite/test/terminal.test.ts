import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { CLI, cleanEnv, deploykit, tempDir } from "./support/cli";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI colour sequences
const COLOR = /\x1b\[\d+m/;
const BAR = /upload \[[=-]+\] \d+%/;

describe("terminal output", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let artifact: string;
  let stores = 0;
  const freshStore = () => join(dir, `store-${++stores}`);

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    artifact = await makeArtifact(dir, "hello", "1.0.0");
  });
  afterAll(() => cleanup());

  it("colours human output when forced, and NO_COLOR turns the colours off", async () => {
    const coloured = await deploykit(["publish", artifact, "--store", freshStore()], {
      env: cleanEnv({ FORCE_COLOR: "1" }),
    });
    expect(coloured.exitCode).toBe(0);
    expect(coloured.stderr).toMatch(COLOR);

    const plain = await deploykit(["publish", artifact, "--store", freshStore()], {
      env: cleanEnv({ FORCE_COLOR: "1", NO_COLOR: "1" }),
    });
    expect(plain.exitCode).toBe(0);
    expect(plain.stderr).toContain("Uploading hello-1.0.0.tgz");
    expect(plain.stderr).not.toMatch(COLOR);
    expect(plain.stdout).not.toMatch(COLOR);
  });

  it("draws no progress bar when stdout is not a terminal", async () => {
    const run = await deploykit(["publish", artifact, "--store", freshStore()]);
    expect(run.exitCode).toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(BAR);
    expect(`${run.stdout}${run.stderr}`).not.toContain("\r");
  });

  it("draws a progress bar on a terminal (a real pty from script(1)), still without colours under NO_COLOR", async () => {
    const command = ["node", CLI, "publish", artifact, "--store", freshStore()]
      .map((a) => `'${a}'`)
      .join(" ");
    const run = await execa("script", ["-qec", command, "/dev/null"], {
      env: cleanEnv({ NO_COLOR: "1", TERM: "xterm" }),
      extendEnv: false,
      reject: false,
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(BAR);
    expect(run.stdout).not.toMatch(COLOR);
  });
});
