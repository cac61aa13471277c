import { cp } from "node:fs/promises";
import { join } from "node:path";
import type { DeployEvent } from "@deploykit/core";
import { createS3Store, type S3Store } from "@deploykit/core/s3";
import { buildPackage, vendorRuntime } from "@deploykit/pkgr";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type TestS3 } from "../../../test-support/s3/index.mjs";
import {
  fixture,
  removeTempDirs,
  tarUp,
  tempDir,
  tgzMembers,
  writeFakeRuby,
} from "./fixtures/vendor-support/helpers";

let s3: TestS3;
let store: S3Store;
let work: string;

beforeAll(async () => {
  s3 = await startS3({ local: true }); // s3rver: the buildpack's curl downloads anonymously
  store = createS3Store({
    bucket: s3.bucket,
    prefix: "rubies",
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: s3.credentials,
  });
  work = await tempDir("vendor-e2e");
  await writeFakeRuby(join(work, "ruby-2.2.4"), "2.2.4");
  await cp(fixture("vendor-bundler-gem"), join(work, "gem"), { recursive: true });
  await execa("gem", ["build", "bundler.gemspec"], { cwd: join(work, "gem") });
  await cp(fixture("vendor-libyaml-src"), join(work, "yaml-0.1.6"), { recursive: true });
  const ruby = await tarUp(work, "ruby-2.2.4", join(work, "ruby-2.2.4.tar.bz2"));
  for (const stack of ["cedar-14", ""]) {
    await vendorRuntime({ kind: "ruby", version: "2.2.4", from: ruby, stack, store });
  }
  await vendorRuntime({
    kind: "bundler",
    version: "1.9.7",
    from: join(work, "gem", "bundler-1.9.7.gem"),
    store,
  });
  await vendorRuntime({
    kind: "libyaml",
    version: "0.1.6",
    build: await tarUp(work, "yaml-0.1.6", join(work, "yaml-0.1.6.tar.gz")),
    store,
  });
});

afterAll(async () => {
  store?.destroy();
  await s3?.stop();
  await removeTempDirs();
});

describe("a buildpack fetching vendored runtimes from BUILDPACK_VENDOR_URL", () => {
  for (const stack of ["cedar-14", ""]) {
    it(`builds an app whose package contains the vendored runtime (STACK=${JSON.stringify(stack)})`, async () => {
      // The same runtime as a directory gives the same bytes: already vendored, nothing written.
      const ruby = await vendorRuntime({
        kind: "ruby",
        version: "2.2.4",
        from: join(work, "ruby-2.2.4"),
        stack,
        store,
      });
      expect(ruby.unchanged).toBe(true);
      const { env } = ruby;
      expect(env.STACK).toBe(stack);
      const out = await tempDir("vendor-e2e-out");
      const events: DeployEvent[] = [];
      const pkg = await buildPackage({
        appDir: fixture("vendor-app"),
        name: "apangea",
        version: "1.0.0",
        buildpacks: [fixture("vendor-buildpack")],
        stack: env.STACK,
        buildpackVendorUrl: env.BUILDPACK_VENDOR_URL,
        outDir: out,
        compileCacheDir: join(out, "cache"),
        buildpackCacheDir: join(out, "buildpacks"),
        readPkgrYml: false,
        onEvent: (e) => events.push(e),
      });

      const fetched = events.flatMap((e) =>
        e.type === "log" && e.line.startsWith("-----> Fetching") ? [e.line] : [],
      );
      const base = `${s3.endpoint}/${s3.bucket}/rubies`;
      expect(fetched).toEqual([
        `-----> Fetching ${base}/${stack ? `${stack}/` : ""}ruby-2.2.4.tgz`,
        `-----> Fetching ${base}/bundler-1.9.7.tgz`,
        `-----> Fetching ${base}/libyaml-0.1.6.tgz`,
      ]);
      const members = (await tgzMembers(pkg.path)).map((m) => m.replace(/^\.\//, ""));
      expect(members).toEqual(
        expect.arrayContaining([
          "vendor/ruby/bin/ruby",
          "vendor/bundler/bin/bundle",
          "vendor/bundler/gems/bundler-1.9.7/lib/bundler.rb",
          "vendor/libyaml/lib/libyaml.so",
        ]),
      );

      const unpacked = await tempDir("vendor-e2e-unpacked");
      await execa("tar", ["-xzf", pkg.path, "-C", unpacked]);
      const rubyBin = members.includes("vendor/ruby/bin/ruby")
        ? join(unpacked, "vendor", "ruby", "bin", "ruby")
        : "";
      expect((await execa(rubyBin)).stdout).toBe("ruby 2.2.4");
    });
  }
});
