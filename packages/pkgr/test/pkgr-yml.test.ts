import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeployKitError } from "@deploykit/core";
import { mergePkgrOptions, parseProcfile, readPkgrYml } from "@deploykit/pkgr";
import { afterAll, describe, expect, it } from "vitest";
import { tempDirs } from "./helpers";

const temp = tempDirs();
afterAll(() => temp.cleanup());

const YML = `
name: from-yml
user: app
group: app
buildpack: https://example.com/ruby.git#v1,https://example.com/node.git
env:
  - RAILS_ENV=production
  - SHARED=file
dependencies:
  - libpq5
  - imagemagick
build_dependencies: [libpq-dev]
before:
  - echo before
after_precompile: script/after.sh
targets:
  ubuntu-12.04:
    dependencies: [libmysqlclient18]
  debian-7: false
crons:
  - crons/cleanup
`;

describe(".pkgr.yml", () => {
  it("reads pkgr's keys with a YAML library", async () => {
    const dir = await temp.make("yml");
    await writeFile(join(dir, ".pkgr.yml"), YML);
    expect(await readPkgrYml(dir)).toEqual({
      name: "from-yml",
      user: "app",
      group: "app",
      buildpacks: ["https://example.com/ruby.git#v1", "https://example.com/node.git"],
      env: { RAILS_ENV: "production", SHARED: "file" },
      dependencies: ["libpq5", "imagemagick"],
      buildDependencies: ["libpq-dev"],
      beforePrecompile: ["echo before"],
      afterPrecompile: ['bash "script/after.sh"'],
      targets: { "ubuntu-12.04": { dependencies: ["libmysqlclient18"] }, "debian-7": false },
    });
  });

  it("merges like pkgr: given scalars override the file, lists are unioned, env maps merged", async () => {
    const dir = await temp.make("yml");
    await writeFile(join(dir, ".pkgr.yml"), YML);
    const merged = mergePkgrOptions(await readPkgrYml(dir), {
      appDir: dir,
      user: "www-data",
      buildpacks: ["https://example.com/other.git"],
      dependencies: ["imagemagick", "redis-server"],
      env: { SHARED: "cli" },
      name: undefined,
    });
    expect(merged).toMatchObject({
      name: "from-yml",
      user: "www-data",
      group: "app",
      buildpacks: ["https://example.com/other.git"],
      dependencies: ["libpq5", "imagemagick", "redis-server"],
      env: { RAILS_ENV: "production", SHARED: "cli" },
    });
  });

  it("treats a missing file as empty and bad YAML as E_INVALID_INPUT", async () => {
    const dir = await temp.make("yml");
    expect(await readPkgrYml(dir)).toEqual({});
    await writeFile(join(dir, ".pkgr.yml"), "name: [unclosed\n");
    const error = await readPkgrYml(dir).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_INVALID_INPUT")).toBe(true);
    await writeFile(join(dir, ".pkgr.yml"), "- a list\n");
    expect(isDeployKitError(await readPkgrYml(dir).catch((e: unknown) => e), "E_INVALID_INPUT")).toBe(true);
  });
});

describe("parseProcfile", () => {
  it("keeps `type: command` lines, first one per type, and ignores the rest", () => {
    expect(parseProcfile("web: a b\r\n# c\nworker:b\nweb: later\nbad type: x\n\nrelease:   \n")).toEqual({
      web: "a b",
      worker: "b",
    });
  });
});
