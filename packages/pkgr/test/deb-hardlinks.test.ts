// Issue 12 item 8: a tree with hard links (a 2 MiB binary with 30 links) stores the bytes once,
// as GNU tar does, and dpkg's own extractor recreates the links.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { link, mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeDeb } from "@deploykit/pkgr";
import { afterAll, describe, expect, it } from "vitest";
import { tempDirs } from "./helpers";

const temp = tempDirs();
afterAll(() => temp.cleanup());
const MiB = 1024 * 1024;

describe(".deb hard links", () => {
  it("a 2 MiB binary with 30 links stays ~2 MiB and unpacks as 31 links to one inode", async () => {
    const app = await temp.make("links-app");
    await mkdir(join(app, "bin"));
    await writeFile(join(app, "bin", "tool"), randomBytes(2 * MiB), { mode: 0o755 }); // incompressible
    for (let i = 0; i < 30; i++) await link(join(app, "bin", "tool"), join(app, "bin", `tool-${i}`));
    const deb = await writeDeb({
      appDir: app,
      outDir: await temp.make("links-out"),
      name: "links",
      version: "1.0.0",
    });
    expect(deb.size).toBeLessThan(2.2 * MiB);
    // Installed-Size counts the bytes once, as dpkg does (hard links once).
    expect(deb.installedSize).toBeLessThan(2 * 1024 + 64);
    const listing = execFileSync("dpkg-deb", ["-c", deb.path], { encoding: "utf8" });
    expect(listing.match(/ link to \.\/opt\/links\/bin\/tool$/gm)?.length).toBe(30);
    const root = await temp.make("links-root");
    execFileSync("dpkg-deb", ["-x", deb.path, root]);
    const first = await stat(join(root, "opt/links/bin/tool"));
    const last = await stat(join(root, "opt/links/bin/tool-29"));
    expect(first.nlink).toBe(31);
    expect(last.ino).toBe(first.ino);
    expect(last.size).toBe(2 * MiB);
    const md5sums = execFileSync(
      "sh",
      ["-c", `dpkg-deb --ctrl-tarfile "$1" | tar -xOf - ./md5sums`, "sh", deb.path],
      {
        encoding: "utf8",
      },
    );
    expect(
      md5sums
        .trim()
        .split("\n")
        .filter((l) => l.includes("opt/links/bin/tool")).length,
    ).toBe(31);
  });
});
