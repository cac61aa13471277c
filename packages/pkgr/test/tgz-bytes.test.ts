// The .tgz writer's bytes are part of the contract: a rebuilt release must hash the same, or
// publishing it again is E_VERSION_EXISTS instead of a no-op. The sha256 below is what
// deploykit wrote for this generated tree before the pack path was optimised (main at e993432);
// any change to the tar producer, the block layout or the deflate calls that moves one byte
// fails here. The tree has thousands of small files (many per 1 MiB block, headers across block
// borders), files larger than a block, empty files and directories, a pax path, non-ASCII names,
// a symlink, a hard link and incompressible data, so the deflate threads and every header path run.
import { createHash } from "node:crypto";
import { chmod, link, mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadIgnoreRules } from "../src/pack/ignore-rules";
import { writeTgz } from "../src/pack/tgz";
import { tempDirs } from "./helpers";

const temp = tempDirs();
afterAll(() => temp.cleanup());

const EXPECTED_SHA256 = "39ee1f5679cb418558e5682c6832d5eda1808074e24b210002d0fee41b4b51d4";

/** Deterministic bytes (xorshift), text-like when `text`, else incompressible. */
function bytesOf(seed: number, size: number, text: boolean): Buffer {
  const out = Buffer.alloc(size);
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = text ? (x & 7 ? 97 + ((x >>> 8) % 26) : 10) : x & 0xff;
  }
  return out;
}

async function generate(root: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    const dir = join(root, "app", `m${i % 7}`, `d${i % 13}`);
    await mkdir(dir, { recursive: true });
    const size = i % 97 === 0 ? 0 : ((i * 7919) % 6000) + (i % 11 === 0 ? 511 : 1);
    await writeFile(join(dir, `f${i}.rb`), bytesOf(i + 1, size, i % 9 !== 0));
    await chmod(join(dir, `f${i}.rb`), i % 5 === 0 ? 0o755 : 0o644);
  }
  await writeFile(join(root, "big.bin"), bytesOf(99, 2 * 1024 * 1024 + 77, false));
  await writeFile(join(root, "big.txt"), bytesOf(98, 3 * 1024 * 1024 + 1, true));
  const long = `vendor/${"a-rather-long-directory-name/".repeat(5)}and-a-file-name-over-one-hundred-bytes.rb`;
  await mkdir(join(root, long, ".."), { recursive: true });
  await writeFile(join(root, long), "long\n");
  await mkdir(join(root, "unicodé"), { recursive: true });
  await writeFile(join(root, "unicodé", "ファイル.txt"), "utf-8\n");
  await mkdir(join(root, "empty-dir"));
  await writeFile(join(root, "bin-run"), "#!/bin/sh\nexec ruby app.rb\n");
  await chmod(join(root, "bin-run"), 0o775);
  await symlink("bin-run", join(root, "run-link"));
  await link(join(root, "bin-run"), join(root, "run-hard"));
  // Modes as given, whatever the umask: directories 0755, the other files 0644.
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) await chmod(path, 0o755);
    else if (entry.isFile() && !/\/f\d+\.rb$|bin-run|run-hard/.test(path)) await chmod(path, 0o644);
  }
}

describe("writeTgz bytes", () => {
  let root: string;
  beforeAll(async () => {
    root = await temp.make("tgz-bytes");
    await generate(join(root, "tree"));
  });

  it("are the bytes deploykit has always written for this tree", async () => {
    const dest = join(root, "out.tgz");
    const tree = join(root, "tree");
    const written = await writeTgz({
      root: tree,
      rules: await loadIgnoreRules(tree),
      mtime: new Date("2001-02-03T04:05:06Z"),
      dest,
    });
    const sha256 = createHash("sha256")
      .update(await readFile(dest))
      .digest("hex");
    expect(written.sha256).toBe(sha256);
    expect(written.size).toBeGreaterThan(5 * 1024 * 1024);
    expect(sha256).toBe(EXPECTED_SHA256);
  });
});
