// The .tgz writer encodes most headers itself (no node-tar objects per entry); each one must be
// node-tar's block byte for byte, or rebuilt releases would stop hashing the same.
import type { Stats } from "node:fs";
import { describe, expect, it } from "vitest";
import { type EntryType, type HeaderFields, headerBlocks, writeUstarHeader } from "../src/pack/tar-header";

const stat = (mode: number) => ({ mode }) as Stats;

function cases(): HeaderFields[] {
  const out: HeaderFields[] = [];
  const types: EntryType[] = ["File", "Directory", "SymbolicLink", "Link"];
  const mtimes = [
    new Date("2000-01-01T00:00:00Z"),
    new Date("2001-02-03T04:05:06.789Z"),
    new Date(0),
    new Date("1969-12-31T23:59:59Z"),
    new Date(0o77777777777 * 1000),
    new Date(0o100000000000 * 1000),
  ];
  const sizes = [0, 1, 511, 512, 4096, 123_456_789, 0o77777777777, 0o100000000000];
  const modes = [0o644, 0o755, 0o600, 0o777, 0o4755, 0o2775, 0o1777, 0o100664, 0o40700, 0o000];
  let i = 0;
  for (let length = 1; length <= 102; length++) {
    const type = types[i % types.length] as EntryType;
    const base = "abcdefghij/klmnopqrs-tuvwxyz_0123456789.".repeat(3).slice(0, length);
    const path = type === "Directory" ? `${base.slice(0, -1)}/` : base;
    const linkLength = [1, 99, 100, 101][i % 4] as number;
    const linkpath =
      type === "SymbolicLink" || type === "Link" ? "../target/x".repeat(11).slice(0, linkLength) : undefined;
    out.push({
      path,
      type,
      stat: stat(modes[i % modes.length] as number),
      size: type === "File" ? (sizes[i % sizes.length] as number) : 0,
      mtime: mtimes[i % mtimes.length] as Date,
      ...(linkpath === undefined ? {} : { linkpath }),
    });
    i++;
  }
  for (const path of ["unicodé.txt", "ファイル", "tab\there", "bin/run", "a b/c"])
    out.push({ path, type: "File", stat: stat(0o755), size: 42, mtime: mtimes[1] as Date });
  out.push({
    path: "link",
    type: "SymbolicLink",
    stat: stat(0o777),
    size: 0,
    mtime: mtimes[0] as Date,
    linkpath: "zielé",
  });
  return out;
}

describe("writeUstarHeader", () => {
  it("writes node-tar's header block for every entry it takes, over dirty memory, and takes the common ones", () => {
    let taken = 0;
    for (const fields of cases()) {
      const target = Buffer.alloc(3 * 512, 0xa5);
      const reference = headerBlocks(fields);
      if (!writeUstarHeader(target, 512, fields)) {
        expect(target.every((byte) => byte === 0xa5)).toBe(true);
        continue;
      }
      taken++;
      expect(reference).toHaveLength(1);
      expect(target.subarray(512, 1024).toString("hex"), JSON.stringify(fields)).toBe(
        (reference[0] as Buffer).toString("hex"),
      );
      expect(target[511]).toBe(0xa5);
      expect(target[1024]).toBe(0xa5);
    }
    expect(taken).toBeGreaterThan(55);
  });
});
