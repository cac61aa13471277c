import { isDeployKitError } from "@deploykit/core";
import { createMemoryStore } from "@deploykit/core/testing";
import {
  DEFAULT_VENDOR_LAYOUT,
  listVendored,
  parseVendorKey,
  renderVendorKey,
  vendorBaseUrl,
} from "@deploykit/pkgr";
import { describe, expect, it } from "vitest";

const layout = { ...DEFAULT_VENDOR_LAYOUT };

describe("vendor key layout", () => {
  it("defaults to heroku-buildpack-ruby's layout", () => {
    expect(renderVendorKey(layout.ruby, { version: "2.2.4", stack: "cedar-14" })).toBe(
      "cedar-14/ruby-2.2.4.tgz",
    );
    expect(renderVendorKey(layout.bundler, { version: "1.9.7", stack: "cedar-14" })).toBe(
      "bundler-1.9.7.tgz",
    );
    expect(renderVendorKey(layout.libyaml, { version: "0.1.6", stack: "cedar-14" })).toBe(
      "libyaml-0.1.6.tgz",
    );
  });

  it("drops the segment of an empty STACK instead of leaving an empty one", () => {
    expect(renderVendorKey(layout.ruby, { version: "2.2.4", stack: "" })).toBe("ruby-2.2.4.tgz");
    expect(renderVendorKey("rubies/{stack}/{version}/ruby.tgz", { version: "2.2.4", stack: "" })).toBe(
      "rubies/2.2.4/ruby.tgz",
    );
  });

  it("rejects templates and values that could not make a sound key", () => {
    const bad = [
      () => renderVendorKey("ruby.tgz", { version: "2.2.4", stack: "" }),
      () => renderVendorKey("{stack}/{stack}/ruby-{version}.tgz", { version: "2.2.4", stack: "x" }),
      () => renderVendorKey("{arch}/ruby-{version}.tgz", { version: "2.2.4", stack: "" }),
      () => renderVendorKey("{stack/ruby-{version}.tgz", { version: "2.2.4", stack: "" }),
      () => renderVendorKey(layout.ruby, { version: "..", stack: "" }),
      () => renderVendorKey(layout.ruby, { version: "2.2.4", stack: "../etc" }),
      () => renderVendorKey("../{version}.tgz", { version: "2.2.4", stack: "" }),
    ];
    for (const attempt of bad) {
      expect(() => attempt()).toThrowError(expect.objectContaining({ code: "E_INVALID_INPUT" }));
    }
  });

  it("reads keys back into kind, version and stack", () => {
    expect(parseVendorKey("cedar-14/ruby-2.2.4.tgz", layout)).toEqual({
      kind: "ruby",
      version: "2.2.4",
      stack: "cedar-14",
    });
    expect(parseVendorKey("ruby-2.2.4.tgz", layout)).toEqual({ kind: "ruby", version: "2.2.4", stack: "" });
    expect(parseVendorKey("bundler-1.9.7.tgz", layout)).toEqual({
      kind: "bundler",
      version: "1.9.7",
      stack: "",
    });
    expect(parseVendorKey("libyaml-0.1.6.tgz", layout)).toEqual({
      kind: "libyaml",
      version: "0.1.6",
      stack: "",
    });
    expect(parseVendorKey("apps/web/releases/1.0.0/manifest.json", layout)).toBeUndefined();
    expect(parseVendorKey("cedar-14/bundler-1.9.7.tgz", layout)).toBeUndefined();
  });
});

describe("listVendored", () => {
  it("lists the vendored tarballs of a store with their sha256, ignoring releases", async () => {
    const store = createMemoryStore();
    await store.put("cedar-14/ruby-2.2.4.tgz", "r", { metadata: { sha256: "aa" } });
    await store.put("ruby-2.3.0.tgz", "r2");
    await store.put("bundler-1.9.7.tgz", "b");
    await store.put("libyaml-0.1.6.tgz", "l");
    await store.put("apps/web/releases/1.0.0/manifest.json", "{}");

    expect(await listVendored(store)).toEqual([
      { kind: "bundler", version: "1.9.7", stack: "", key: "bundler-1.9.7.tgz", size: 1 },
      {
        kind: "ruby",
        version: "2.2.4",
        stack: "cedar-14",
        key: "cedar-14/ruby-2.2.4.tgz",
        size: 1,
        sha256: "aa",
      },
      { kind: "libyaml", version: "0.1.6", stack: "", key: "libyaml-0.1.6.tgz", size: 1 },
      { kind: "ruby", version: "2.3.0", stack: "", key: "ruby-2.3.0.tgz", size: 2 },
    ]);
  });

  it("follows a fork's layout", async () => {
    const store = createMemoryStore();
    await store.put("rubies/cedar-14/ruby-2.2.4-x86_64.tgz", "r");
    const listed = await listVendored(store, {
      layout: { ruby: "rubies/{stack}/ruby-{version}-x86_64.tgz" },
    });
    expect(listed.map((e) => [e.kind, e.version, e.stack])).toEqual([["ruby", "2.2.4", "cedar-14"]]);
  });
});

describe("vendorBaseUrl", () => {
  const s3Shaped = (config: Record<string, unknown>, bucket = "ttm-pkgr") =>
    ({ location: `s3://${bucket}/rubies/`, bucket, prefix: "rubies/", client: { config } }) as never;

  it("is the file URL of a filesystem store, or undefined for a store with no URL", async () => {
    expect(await vendorBaseUrl({ location: "file:///srv/store" } as never)).toBe("file:///srv/store");
    expect(await vendorBaseUrl(createMemoryStore())).toBeUndefined();
  });

  it("is an S3 store's public URL: path-style on a custom endpoint, virtual-host on AWS", async () => {
    const endpoint = async () => ({ protocol: "http:", hostname: "127.0.0.1", port: 4569, path: "/" });
    const region = async () => "eu-west-1";
    expect(await vendorBaseUrl(s3Shaped({ endpoint, forcePathStyle: true, region }))).toBe(
      "http://127.0.0.1:4569/ttm-pkgr/rubies",
    );
    expect(await vendorBaseUrl(s3Shaped({ endpoint, forcePathStyle: false, region }))).toBe(
      "http://ttm-pkgr.127.0.0.1:4569/rubies",
    );
    expect(await vendorBaseUrl(s3Shaped({ forcePathStyle: false, region }))).toBe(
      "https://ttm-pkgr.s3.eu-west-1.amazonaws.com/rubies",
    );
    expect(await vendorBaseUrl(s3Shaped({ forcePathStyle: false, region }, "ttm.pkgr"))).toBe(
      "https://s3.eu-west-1.amazonaws.com/ttm.pkgr/rubies",
    );
    expect(await vendorBaseUrl({ location: "s3://ttm-pkgr/rubies" } as never)).toBe(
      "https://ttm-pkgr.s3.amazonaws.com/rubies",
    );
  });

  it("takes an override, which must be a URL", async () => {
    expect(await vendorBaseUrl(createMemoryStore(), "https://cdn.example.com/rubies/")).toBe(
      "https://cdn.example.com/rubies",
    );
    const error = await vendorBaseUrl(createMemoryStore(), "not a url").catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_INVALID_INPUT")).toBe(true);
  });
});
