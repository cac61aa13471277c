import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

// The deflate threads fetch `gc` by turning V8's --expose-gc on for a moment; the flag is
// process-wide, and turning it "back" off took `gc` away from a process started with it.
const SCRIPT = `
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { buildPackage } from "@deploykit/pkgr";
const dir = mkdtempSync(join(tmpdir(), "dk-gc-flag-"));
writeFileSync(join(dir, "a.txt"), "x".repeat(3_000_000));
await buildPackage({ name: "gcflag", appDir: dir, outDir: dir + "-out", version: "1.0.0" });
console.log(runInNewContext("typeof gc"));
`;

describe("the deflate threads and --expose-gc", () => {
  it("leave gc to a process started with --expose-gc", async () => {
    // A file next to the package (so "@deploykit/pkgr" resolves), run as a user's script.
    const dir = await mkdtemp(join(new URL("../", import.meta.url).pathname, ".gc-flag-"));
    try {
      await writeFile(join(dir, "build.mjs"), SCRIPT);
      const run = await execa(process.execPath, ["--expose-gc", join(dir, "build.mjs")]);
      expect(run.stdout.trim()).toBe("function");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
