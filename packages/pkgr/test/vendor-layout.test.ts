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
  it("is the file URL of a filesystem store, the public https URL of an S3 location, or the override", () => {
    expect(vendorBaseUrl({ location: "file:///srv/store" } as never)).toBe("file:///srv/store");
    expect(vendorBaseUrl({ location: "s3://ttm-pkgr/rubies" } as never)).toBe(
      "https://ttm-pkgr.s3.amazonaws.com/rubies",
    );
    expect(vendorBaseUrl(createMemoryStore())).toBeUndefined();
    expect(vendorBaseUrl(createMemoryStore(), "https://cdn.example.com/rubies/")).toBe(
      "https://cdn.example.com/rubies",
    );
    const error = (() => {
      try {
        vendorBaseUrl(createMemoryStore(), "not a url");
      } catch (e) {
        return e;
      }
    })();
    expect(isDeployKitError(error, "E_INVALID_INPUT")).toBe(true);
  });
});
