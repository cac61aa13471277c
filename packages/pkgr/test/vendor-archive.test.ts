import { join } from "node:path";
import { createFsStore, type DeployEvent, isDeployKitError } from "@deploykit/core";
import { vendorRuntime } from "@deploykit/pkgr";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  download,
  removeTempDirs,
  storeKeys,
  tarUp,
  tempDir,
  tgzMembers,
  writeFakeRuby,
} from "./fixtures/vendor-support/helpers";

const RUBY_MEMBERS = [
  "./",
  "./bin/",
  "./bin/ruby",
  "./lib/",
  "./lib/libruby.so",
  "./lib/libruby.so.2.2.4",
  "./lib/ruby/",
  "./lib/ruby/2.2.4/",
  "./lib/ruby/2.2.4/rubygems.rb",
];

let work: string;
let archives: Record<"gz" | "bz2" | "xz" | "tgz", string>;

beforeAll(async () => {
  work = await tempDir("vendor-archive");
  await writeFakeRuby(join(work, "ruby-2.2.4"), "2.2.4");
  archives = {
    gz: await tarUp(work, "ruby-2.2.4", join(work, "ruby-2.2.4.tar.gz")),
    bz2: await tarUp(work, "ruby-2.2.4", join(work, "ruby-2.2.4.tar.bz2")),
    xz: await tarUp(work, "ruby-2.2.4", join(work, "ruby-2.2.4.tar.xz")),
    tgz: await tarUp(join(work, "ruby-2.2.4"), ".", join(work, "flat-ruby-2.2.4.tgz")),
  };
});
afterAll(removeTempDirs);

describe("vendorRuntime from a ruby archive", () => {
  for (const format of ["gz", "bz2", "xz"] as const) {
    it(`repacks a .tar.${format} with the top folder stripped, the runtime at the root, under <stack>/`, async () => {
      const dir = await tempDir("vendor-store");
      const store = createFsStore({ dir });
      const events: DeployEvent[] = [];
      const result = await vendorRuntime({
        kind: "ruby",
        version: "2.2.4",
        from: archives[format],
        stack: "cedar-14",
        store,
        onEvent: (e) => events.push(e),
      });

      expect(result).toMatchObject({ key: "cedar-14/ruby-2.2.4.tgz", unchanged: false, stack: "cedar-14" });
      expect(result.env).toEqual({ BUILDPACK_VENDOR_URL: store.location, STACK: "cedar-14" });
      expect(result.url).toBe(`${store.location}/cedar-14/ruby-2.2.4.tgz`);
      expect(await storeKeys(store)).toEqual(["cedar-14/ruby-2.2.4.tgz"]);
      const tgz = await download(store, result.key, join(dir, "..", `${format}-check.tgz`));
      expect(await tgzMembers(tgz)).toEqual(RUBY_MEMBERS);
      expect(events.filter((e) => e.type === "step:finish").map((e) => e.step)).toEqual([
        "unpack",
        "validate",
        "pack",
        "upload",
      ]);

      // The buildpack's way: unpack into vendor/ruby and run the interpreter.
      const app = await tempDir("vendor-app");
      await execa("mkdir", ["-p", join(app, "vendor", "ruby")]);
      await execa("tar", ["-xzf", tgz, "-C", join(app, "vendor", "ruby")]);
      expect((await execa(join(app, "vendor", "ruby", "bin", "ruby"))).stdout).toBe("ruby 2.2.4");
    });
  }

  it("gives the same bytes for the same runtime whatever the archive format, so re-vendoring is a no-op", async () => {
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const first = await vendorRuntime({ kind: "ruby", version: "2.2.4", from: archives.gz, store });
    const again = await vendorRuntime({ kind: "ruby", version: "2.2.4", from: archives.xz, store });
    const flat = await vendorRuntime({ kind: "ruby", version: "2.2.4", from: archives.tgz, store });
    const fromDir = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: join(work, "ruby-2.2.4"),
      store,
    });

    expect(first.unchanged).toBe(false);
    expect([again.unchanged, flat.unchanged, fromDir.unchanged]).toEqual([true, true, true]);
    expect(new Set([first.sha256, again.sha256, flat.sha256, fromDir.sha256]).size).toBe(1);
    expect(first.key).toBe("ruby-2.2.4.tgz"); // empty STACK: no empty path segment
    expect(first.env.STACK).toBe("");
    expect(await storeKeys(store)).toEqual(["ruby-2.2.4.tgz"]);
  });

  it("refuses an archive without bin/ruby before uploading anything", async () => {
    const src = await tempDir("vendor-bad");
    await writeFakeRuby(join(src, "ruby-2.2.4"), "2.2.4");
    await execa("rm", [join(src, "ruby-2.2.4", "bin", "ruby")]);
    const archive = await tarUp(src, "ruby-2.2.4", join(src, "ruby-2.2.4.tar.bz2"));
    const store = createFsStore({ dir: await tempDir("vendor-store") });

    const error = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: archive,
      stack: "cedar-14",
      store,
    }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_VENDOR_INVALID")).toBe(true);
    expect((error as Error).message).toContain("bin/ruby");
    expect(await storeKeys(store)).toEqual([]);
  });

  it("refuses other bytes under a version already vendored and leaves the stored tarball alone", async () => {
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const first = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: archives.gz,
      stack: "cedar-14",
      store,
    });
    const other = await tempDir("vendor-other");
    await writeFakeRuby(join(other, "ruby-2.2.4"), "2.2.4", " (patched)");
    const patched = await tarUp(other, "ruby-2.2.4", join(other, "ruby-2.2.4.tar.gz"));

    const error = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: patched,
      stack: "cedar-14",
      store,
    }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_VERSION_EXISTS")).toBe(true);
    expect((error as Error).message).toContain("cedar-14/ruby-2.2.4.tgz");
    const stored = await download(store, first.key, join(other, "stored.tgz"));
    const { stdout } = await execa("sha256sum", [stored]);
    expect(stdout.split(" ")[0]).toBe(first.sha256);
    expect(await storeKeys(store)).toEqual(["cedar-14/ruby-2.2.4.tgz"]);
  });

  it("rejects bad options before touching the store", async () => {
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const attempts = [
      vendorRuntime({ kind: "ruby", version: "2.2.4", store }),
      vendorRuntime({ kind: "ruby", version: "2.2.4", from: archives.gz, build: archives.gz, store }),
      vendorRuntime({ kind: "ruby", version: "../2.2.4", from: archives.gz, store }),
      vendorRuntime({ kind: "ruby", version: "2.2.4", from: archives.gz, stack: "a/b", store }),
      vendorRuntime({
        kind: "ruby",
        version: "2.2.4",
        from: archives.gz,
        layout: { ruby: "ruby.tgz" },
        store,
      }),
      vendorRuntime({ kind: "jruby" as "ruby", version: "9.0.0", from: archives.gz, store }),
    ];
    for (const attempt of attempts) {
      expect(isDeployKitError(await attempt.catch((e: unknown) => e), "E_INVALID_INPUT")).toBe(true);
    }
    const missing = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: join(work, "nope.tgz"),
      store,
    }).catch((e: unknown) => e);
    expect(isDeployKitError(missing, "E_NOT_FOUND")).toBe(true);
    const zip = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: join(work, "ruby-2.2.4", "lib", "libruby.so.2.2.4"),
      store,
    }).catch((e: unknown) => e);
    expect(isDeployKitError(zip, "E_UNSUPPORTED_FORMAT")).toBe(true);
    expect(await storeKeys(store)).toEqual([]);
  });

  it("uses a custom key template for a fork's layout", async () => {
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const result = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: archives.bz2,
      stack: "ubuntu-12.04",
      layout: { ruby: "rubies/{stack}/ruby-{version}-x86_64.tgz" },
      store,
    });
    expect(result.key).toBe("rubies/ubuntu-12.04/ruby-2.2.4-x86_64.tgz");
    expect(await storeKeys(store)).toEqual(["rubies/ubuntu-12.04/ruby-2.2.4-x86_64.tgz"]);
  });
});
