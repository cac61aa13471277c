import { cp } from "node:fs/promises";
import { join } from "node:path";
import { isDeployKitError } from "@deploykit/core";
import { createS3Store, type S3Store } from "@deploykit/core/s3";
import { listVendored, type VendoredRuntime, vendorRuntime } from "@deploykit/pkgr";
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
let inputs: { ruby: string; patchedRuby: string; gem: string; source: string };
const vendored: Partial<Record<"ruby" | "bundler" | "libyaml", VendoredRuntime>> = {};

/** Downloads a URL exactly as heroku-buildpack-ruby does: curl, anonymous, failing on HTTP errors. */
async function curlDownload(url: string): Promise<string> {
  const out = join(await tempDir("vendor-curl"), "download.tgz");
  await execa("curl", ["--fail", "--silent", "--show-error", "--location", "--retry", "3", url, "-o", out]);
  return out;
}

beforeAll(async () => {
  // s3rver itself, even when an external server is configured: the test needs anonymous GETs.
  s3 = await startS3({ local: true });
  store = createS3Store({
    bucket: s3.bucket,
    prefix: "rubies",
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: s3.credentials,
  });
  const work = await tempDir("vendor-s3");
  await writeFakeRuby(join(work, "ruby-2.2.4"), "2.2.4");
  await writeFakeRuby(join(work, "patched", "ruby-2.2.4"), "2.2.4", " (patched)");
  await cp(fixture("vendor-bundler-gem"), join(work, "gem"), { recursive: true });
  await execa("gem", ["build", "bundler.gemspec"], { cwd: join(work, "gem") });
  await cp(fixture("vendor-libyaml-src"), join(work, "yaml-0.1.6"), { recursive: true });
  inputs = {
    ruby: await tarUp(work, "ruby-2.2.4", join(work, "ruby-2.2.4.tar.bz2")),
    patchedRuby: await tarUp(join(work, "patched"), "ruby-2.2.4", join(work, "patched.tar.xz")),
    gem: join(work, "gem", "bundler-1.9.7.gem"),
    source: await tarUp(work, "yaml-0.1.6", join(work, "yaml-0.1.6.tar.gz")),
  };
});

afterAll(async () => {
  store?.destroy();
  await s3?.stop();
  await removeTempDirs();
});

describe("vendorRuntime to S3, fetched the way the buildpack fetches", () => {
  it("reports the store's path-style URL as BUILDPACK_VENDOR_URL", async () => {
    vendored.ruby = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: inputs.ruby,
      stack: "cedar-14",
      store,
    });
    expect(vendored.ruby.env).toEqual({
      BUILDPACK_VENDOR_URL: `${s3.endpoint}/${s3.bucket}/rubies`,
      STACK: "cedar-14",
    });
    expect(vendored.ruby.key).toBe("cedar-14/ruby-2.2.4.tgz");
    expect(vendored.ruby.location).toBe(`s3://${s3.bucket}/rubies/`);
  });

  it("serves ruby at $BUILDPACK_VENDOR_URL/$STACK/ruby-<v>.tgz with the runtime at the root", async () => {
    const { BUILDPACK_VENDOR_URL, STACK } = vendored.ruby?.env ?? {};
    const tgz = await curlDownload(`${BUILDPACK_VENDOR_URL}/${STACK}/ruby-2.2.4.tgz`);
    expect(await tgzMembers(tgz)).toContain("./bin/ruby");
    const { stdout } = await execa("sha256sum", [tgz]);
    expect(stdout.split(" ")[0]).toBe(vendored.ruby?.sha256);
  });

  it("serves bundler at $BUILDPACK_VENDOR_URL/bundler-<v>.tgz", async () => {
    vendored.bundler = await vendorRuntime({
      kind: "bundler",
      version: "1.9.7",
      from: inputs.gem,
      stack: "cedar-14",
      store,
    });
    const tgz = await curlDownload(`${vendored.bundler.env.BUILDPACK_VENDOR_URL}/bundler-1.9.7.tgz`);
    expect(await tgzMembers(tgz)).toEqual(
      expect.arrayContaining(["./bin/bundle", "./gems/bundler-1.9.7/lib/bundler.rb"]),
    );
  });

  it("serves libyaml, built from source, at $BUILDPACK_VENDOR_URL/libyaml-<v>.tgz", async () => {
    vendored.libyaml = await vendorRuntime({
      kind: "libyaml",
      version: "0.1.6",
      build: inputs.source,
      store,
    });
    const tgz = await curlDownload(`${vendored.libyaml.env.BUILDPACK_VENDOR_URL}/libyaml-0.1.6.tgz`);
    expect(await tgzMembers(tgz)).toEqual(expect.arrayContaining(["./lib/libyaml.so", "./include/yaml.h"]));
  });

  it("lists what is vendored, with the sha256 recorded at upload", async () => {
    expect(await listVendored(store)).toEqual([
      {
        kind: "bundler",
        version: "1.9.7",
        stack: "",
        key: "bundler-1.9.7.tgz",
        size: vendored.bundler?.size,
        sha256: vendored.bundler?.sha256,
      },
      {
        kind: "ruby",
        version: "2.2.4",
        stack: "cedar-14",
        key: "cedar-14/ruby-2.2.4.tgz",
        size: vendored.ruby?.size,
        sha256: vendored.ruby?.sha256,
      },
      {
        kind: "libyaml",
        version: "0.1.6",
        stack: "",
        key: "libyaml-0.1.6.tgz",
        size: vendored.libyaml?.size,
        sha256: vendored.libyaml?.sha256,
      },
    ]);
  });

  it("is a no-op for the same bytes and E_VERSION_EXISTS for other bytes, leaving the served tarball alone", async () => {
    const again = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: inputs.ruby,
      stack: "cedar-14",
      store,
    });
    expect(again.unchanged).toBe(true);
    const error = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: inputs.patchedRuby,
      stack: "cedar-14",
      store,
    }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_VERSION_EXISTS")).toBe(true);
    const tgz = await curlDownload(vendored.ruby?.url ?? "");
    const { stdout } = await execa("sha256sum", [tgz]);
    expect(stdout.split(" ")[0]).toBe(vendored.ruby?.sha256);
  });

  it("uploads nothing for bad input", async () => {
    const empty = createS3Store({
      bucket: s3.bucket,
      prefix: "empty",
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: s3.credentials,
    });
    try {
      const attempts = [
        () => vendorRuntime({ kind: "ruby", version: "2.2.4", from: inputs.gem, store: empty }),
        () =>
          vendorRuntime({
            kind: "bundler",
            version: "1.9.7",
            from: inputs.gem,
            store: empty,
            findTool: async () => undefined,
          }),
        () => vendorRuntime({ kind: "libyaml", version: "0.1.6", build: inputs.ruby, store: empty }),
      ];
      const codes = [];
      for (const attempt of attempts) {
        const error = await attempt().catch((e: unknown) => e);
        codes.push(isDeployKitError(error) ? error.code : String(error));
      }
      expect(codes).toEqual(["E_VENDOR_INVALID", "E_TOOL_MISSING", "E_VENDOR_INVALID"]);
      expect(await empty.list("")).toEqual([]);
    } finally {
      empty.destroy();
    }
  });
});
