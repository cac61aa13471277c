import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploykit, jsonLines, tempDir } from "./support/cli";

describe("vendor", () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(join(dir, "ruby-2.2.4", "bin"), { recursive: true });
    await writeFile(join(dir, "ruby-2.2.4", "bin", "ruby"), "#!/bin/sh\necho 2.2.4\n");
    await chmod(join(dir, "ruby-2.2.4", "bin", "ruby"), 0o755);
  });
  afterAll(() => cleanup());

  it("vendors a ruby under <stack>/ruby-<v>.tgz and prints what to pass to deploykit package", async () => {
    const run = await deploykit(
      ["vendor", "ruby", "2.2.4", "--from", "ruby-2.2.4", "--stack", "cedar-14", "--store", "rubies"],
      {
        cwd: dir,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain(`BUILDPACK_VENDOR_URL=file://${join(dir, "rubies")}`);
    expect(run.stdout).toMatch(/^STACK=cedar-14$/m);
    const listing = await execa("tar", ["-tzf", join(dir, "rubies", "cedar-14", "ruby-2.2.4.tgz")]);
    expect(listing.stdout.split("\n")).toContain("./bin/ruby");
  });

  it("lists what is vendored", async () => {
    const run = await deploykit(["vendor", "list", "--store", "rubies", "--json"], { cwd: dir });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({
      result: {
        entries: [{ kind: "ruby", version: "2.2.4", stack: "cedar-14", key: "cedar-14/ruby-2.2.4.tgz" }],
      },
    });
  });

  it("refuses a runtime without bin/ruby (E_VENDOR_INVALID) and a missing version (usage)", async () => {
    await mkdir(join(dir, "empty"));
    const invalid = await deploykit(["vendor", "ruby", "2.3.0", "--from", "empty", "--store", "rubies"], {
      cwd: dir,
    });
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toContain("[E_VENDOR_INVALID]");
    const usage = await deploykit(["vendor", "ruby", "--from", "empty", "--store", "rubies"], { cwd: dir });
    expect(usage.exitCode).toBe(2);
  });
});
