import { cp, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createFsStore, type DeployEvent, isDeployKitError } from "@deploykit/core";
import { findOnPath, vendorRuntime } from "@deploykit/pkgr";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  download,
  fixture,
  removeTempDirs,
  storeKeys,
  tempDir,
  tgzMembers,
} from "./fixtures/vendor-support/helpers";

let gemFile: string;

beforeAll(async () => {
  const work = await tempDir("vendor-gem");
  await cp(fixture("vendor-bundler-gem"), join(work, "src"), { recursive: true });
  await execa("gem", ["build", "bundler.gemspec"], { cwd: join(work, "src") });
  gemFile = join(work, "src", "bundler-1.9.7.gem");
});
afterAll(removeTempDirs);

describe("vendorRuntime from a .gem", () => {
  it("installs it with the real gem into a folder and tars that folder at the root, without a stack segment", async () => {
    const dir = await tempDir("vendor-store");
    const store = createFsStore({ dir });
    const events: DeployEvent[] = [];
    const result = await vendorRuntime({
      kind: "bundler",
      version: "1.9.7",
      from: gemFile,
      stack: "cedar-14",
      store,
      onEvent: (e) => events.push(e),
    });

    expect(result.key).toBe("bundler-1.9.7.tgz");
    expect(result.env).toEqual({ BUILDPACK_VENDOR_URL: store.location, STACK: "cedar-14" });
    expect(await storeKeys(store)).toEqual(["bundler-1.9.7.tgz"]);
    const members = await tgzMembers(await download(store, result.key, join(dir, "..", "bundler.tgz")));
    expect(members).toEqual(
      expect.arrayContaining([
        "./bin/bundle",
        "./gems/bundler-1.9.7/lib/bundler.rb",
        "./gems/bundler-1.9.7/exe/bundle",
        "./specifications/bundler-1.9.7.gemspec",
      ]),
    );
    expect(members.every((m) => m.startsWith("./"))).toBe(true);
    const unpacked = await tempDir("vendor-bundler-check");
    await execa("tar", ["-xzf", join(dir, "..", "bundler.tgz"), "-C", unpacked]);
    const wrapper = await readFile(join(unpacked, "bin", "bundle"), "utf8");
    expect(wrapper.split("\n")[0]).toBe("#!/usr/bin/env ruby");
    expect(
      events.some((e) => e.type === "log" && e.step === "install" && e.line.includes("bundler-1.9.7")),
    ).toBe(true);
  });

  it("runs the vendored bundle executable against the vendored gem", async () => {
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const result = await vendorRuntime({ kind: "bundler", version: "1.9.7", from: gemFile, store });
    const vendor = await tempDir("vendor-bundler");
    await execa("tar", ["-xzf", await download(store, result.key, join(vendor, "b.tgz")), "-C", vendor]);
    // `_1.9.7_` picks our gem over the bundler that ships with Debian's ruby as a default gem.
    const { stdout } = await execa("ruby", [join(vendor, "bin", "bundle"), "_1.9.7_"], {
      env: { GEM_HOME: vendor, GEM_PATH: vendor },
    });
    expect(stdout).toBe("Bundler version 1.9.7");
  });

  it("fails with E_TOOL_MISSING naming gem when gem is absent, and uploads nothing", async () => {
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const withoutGem = async (name: string) => (name === "gem" ? undefined : findOnPath(name));
    const error = await vendorRuntime({
      kind: "bundler",
      version: "1.9.7",
      from: gemFile,
      store,
      findTool: withoutGem,
    }).catch((e: unknown) => e);

    expect(isDeployKitError(error, "E_TOOL_MISSING")).toBe(true);
    expect((error as Error).message).toContain("`gem`");
    expect(isDeployKitError(error) && error.details.tool).toBe("gem");
    expect(await storeKeys(store)).toEqual([]);
  });

  it("refuses a gem whose version is not the one being vendored", async () => {
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const error = await vendorRuntime({ kind: "bundler", version: "1.10.0", from: gemFile, store }).catch(
      (e: unknown) => e,
    );
    expect(isDeployKitError(error, "E_VENDOR_INVALID")).toBe(true);
    expect((error as Error).message).toContain("gems/bundler-1.10.0/");
    expect(await storeKeys(store)).toEqual([]);
  });
});
