import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { isDeployKitError } from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertSafeArchive } from "../src/host/archive-guard";
import { craftTgz, type RawEntry } from "./support/craft-tgz";
import { tempDir } from "./support/package";

// The header scan on its own (install also runs node-tar in strict mode behind it, so the
// install-level tests in archive-safety.test.ts pass through either layer).
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir("dk-guard-")));
afterAll(() => cleanup());

const verdict = async (name: string, entries: RawEntry[]) => {
  const file = join(dir, `${name}.tgz`);
  await craftTgz(file, entries);
  return assertSafeArchive(file).then(
    () => "safe",
    (error) => (isDeployKitError(error, "E_UNSAFE_ARCHIVE") ? error.details.why : `unexpected: ${error}`),
  );
};

describe("assertSafeArchive", () => {
  it.each<[string, RawEntry[], RegExp]>([
    ["dotdot", [{ path: "a/../../x", type: "File", body: "x" }], /climbs out/],
    ["absolute", [{ path: "/etc/x", type: "File", body: "x" }], /absolute/],
    ["symlink-out", [{ path: "l", type: "SymbolicLink", linkpath: "/etc" }], /symlink to \/etc/],
    ["symlink-up", [{ path: "a/l", type: "SymbolicLink", linkpath: "../../x" }], /outside the release/],
    [
      "through-symlink",
      [
        { path: "l", type: "SymbolicLink", linkpath: "." },
        { path: "l/x", type: "File", body: "x" },
      ],
      /through a symlink/,
    ],
    ["hardlink-out", [{ path: "h", type: "Link", linkpath: "../outside" }], /hard link/],
    ["device", [{ path: "d", type: "CharacterDevice" }], /CharacterDevice/],
    ["fifo", [{ path: "f", type: "FIFO" }], /FIFO/],
    // GNU tar unpacks what passes: the rules hold for how it resolves links, not just for the text.
    [
      "symlink-chain",
      [
        { path: "x/", type: "Directory" },
        { path: "x/l", type: "SymbolicLink", linkpath: ".." },
        { path: "y", type: "SymbolicLink", linkpath: "x/l/.." },
      ],
      /climbs back up/,
    ],
    [
      "hardlink-through-symlink",
      [
        { path: "sub/f", type: "File", body: "x" },
        { path: "s", type: "SymbolicLink", linkpath: "sub" },
        { path: "h", type: "Link", linkpath: "s/f" },
      ],
      /through a symlink/,
    ],
    [
      "symlink-over-dir",
      [
        { path: "d/f", type: "File", body: "x" },
        { path: "d", type: "SymbolicLink", linkpath: "." },
      ],
      /in place of a directory/,
    ],
    ["dir-with-body", [{ path: "d/", type: "Directory", size: 512 }], /with a body/],
    ["pax-path-out", [{ path: "ok", type: "File", body: "x", pax: { path: "../../x" } }], /climbs out/],
    ["pax-sparse", [{ path: "ok", type: "File", body: "x", pax: { "GNU.sparse.name": "x" } }], /GNU.sparse/],
    ["pax-nul", [{ path: "ok", type: "File", body: "x", pax: { path: "ok\0/../../x" } }], /NUL/],
  ])("refuses %s", async (name, entries, why) => {
    expect(await verdict(name, entries)).toMatch(why);
  });

  it("refuses a damaged header and a truncated archive", async () => {
    const file = join(dir, "damaged.tgz");
    await craftTgz(file, [{ path: "a", type: "File", body: "x" }]);
    const tar = gunzipSync(await readFile(file));
    const damaged = Buffer.from(tar);
    damaged[0] = "b".charCodeAt(0);
    await writeFile(file, gzipSync(damaged));
    await expect(assertSafeArchive(file)).rejects.toThrow(/checksum/);
    await writeFile(file, gzipSync(tar.subarray(0, 512 + 100)));
    await expect(assertSafeArchive(file)).rejects.toThrow(/truncated/);
  });

  it("accepts in-tree files, directories, symlinks and hard links", async () => {
    const entries: RawEntry[] = [
      { path: "bin/", type: "Directory" },
      { path: "bin/tool", type: "File", body: "#!/bin/sh\n" },
      { path: "bin/alias", type: "SymbolicLink", linkpath: "tool" },
      { path: "lib/up", type: "SymbolicLink", linkpath: "../bin/tool" },
      { path: "bin/hard", type: "Link", linkpath: "bin/tool" },
    ];
    expect(await verdict("safe", entries)).toBe("safe");
  });
});
