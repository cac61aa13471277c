// GNU tar headers as GNU tar itself reads them: long names through L/K records, UTF-8 names,
// and sizes of 8 GiB and more in base-256.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { END_OF_ARCHIVE, encodeTarHeader, padding } from "../src/deb/tar-header";
import { readTar } from "./fixtures/deb-support/reader";

const listed = (archive: Buffer) => spawnSync("tar", ["-tvf", "-"], { input: archive, encoding: "utf8" });

describe("encodeTarHeader", () => {
  it("writes long names and link targets as GNU L/K records that GNU tar and our reader agree on", () => {
    const name = `./opt/app/${"x".repeat(120)}/é-file`;
    const target = `../${"y".repeat(110)}`;
    const data = Buffer.from("hello\n");
    const archive = Buffer.concat([
      encodeTarHeader({ name, type: "file", mode: 0o644, size: data.length, mtime: 1_704_067_200 }),
      data,
      padding(data.length),
      encodeTarHeader({
        name: "./opt/app/link",
        type: "symlink",
        mode: 0o777,
        size: 0,
        mtime: 1_704_067_200,
        linkTarget: target,
      }),
      END_OF_ARCHIVE,
    ]);
    const items = readTar(archive);
    expect(items.map((i) => [i.name, i.typeflag, i.linkname])).toEqual([
      [name, "0", ""],
      ["./opt/app/link", "2", target],
    ]);
    const result = listed(archive);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(name);
    expect(result.stdout).toContain(`./opt/app/link -> ${target}`);
    expect(result.stdout).toMatch(/root\/root/);
  });

  it("writes sizes of 8 GiB and more in GNU base-256", () => {
    const size = 10 * 2 ** 30 + 3;
    const header = encodeTarHeader({ name: "./big", type: "file", mode: 0o644, size, mtime: 0 });
    expect(header[124]).toBe(0x80);
    expect(header.readBigUInt64BE(128)).toBe(BigInt(size));
    const result = listed(Buffer.concat([header, END_OF_ARCHIVE]));
    expect(result.stdout).toContain(` ${size} `);
  });
});
