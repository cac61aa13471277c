// The .tgz writer's tar producer must write exactly the bytes node-tar's Pack wrote before it
// (same tree, same options), so artifacts stay byte-identical across deploykit versions and a
// rebuilt release republishes as a no-op.
import { appendFile, link, mkdir, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { constants, crc32, deflateRawSync } from "node:zlib";
import { Pack } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createParallelGzip } from "../src/pack/parallel-gzip";
import { tarStream } from "../src/pack/tar-stream";
import { tempDirs } from "./helpers";

const temp = tempDirs();
afterAll(() => temp.cleanup());

const MTIME = new Date("2001-02-03T04:05:06Z");

/** What node-tar's Pack writes for these paths with the options writeTgz used to pass it. */
function packedByNodeTar(root: string, paths: string[]): Promise<Buffer> {
  const pack = new Pack({ cwd: root, portable: true, mtime: MTIME, noDirRecurse: true });
  const out = buffer(pack);
  for (const path of paths) pack.write(path);
  pack.end();
  return out;
}

describe("tarStream", () => {
  let root: string;
  const paths: string[] = [];
  beforeAll(async () => {
    root = await temp.make("tar-stream");
    const long = `deep/${"nested-directory-name/".repeat(6)}and-a-file-name-well-over-one-hundred-bytes.js`;
    const files: Record<string, Buffer | string> = {
      "bin/run": "#!/bin/sh\nexec node server.js\n",
      "empty.txt": "",
      [long]: "long path\n",
      "unicodé/ファイル.txt": "utf-8 names\n",
      "big.bin": Buffer.alloc(3 * 1024 * 1024 + 123, 7),
      "group-writable.txt": "mode\n",
    };
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(root, path, ".."), { recursive: true });
      await writeFile(join(root, path), content, { mode: path === "bin/run" ? 0o775 : 0o664 });
    }
    await mkdir(join(root, "empty-dir"), { mode: 0o700 });
    await symlink("bin/run", join(root, "run-link"));
    await link(join(root, "bin/run"), join(root, "run-hard"));
    paths.push(
      "big.bin",
      "bin",
      "bin/run",
      "deep",
      "empty-dir",
      "empty.txt",
      "group-writable.txt",
      long,
      "run-hard",
      "run-link",
      "unicodé",
      "unicodé/ファイル.txt",
    );
    for (let dir = long; dir.includes("/"); ) {
      dir = dir.slice(0, dir.lastIndexOf("/"));
      if (!paths.includes(dir)) paths.push(dir);
    }
    paths.sort();
  });

  it("writes node-tar Pack's bytes: pax for long paths, hard links, symlinks, big and empty files", async () => {
    const ours = await buffer(Readable.from(tarStream(root, paths, MTIME)));
    expect(ours.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(Buffer.compare(ours, await packedByNodeTar(root, paths))).toBe(0);
  });
});

describe("tarStream on a file that changes while it is read", () => {
  const MiB = 1024 * 1024;
  async function startedOn(change: (path: string) => Promise<void>) {
    const dir = await temp.make("tar-stream-changing");
    const path = join(dir, "big.bin");
    await writeFile(path, Buffer.alloc(3 * MiB, 1));
    const stream = tarStream(dir, ["big.bin"], MTIME);
    const first = stream.next(); // the header and the first MiB - 512 of the body
    expect(first.value?.length).toBe(MiB);
    await change(path);
    return async () => {
      for (const _ of { [Symbol.iterator]: () => stream });
    };
  }

  it("refuses a file that shrank after its header was written (E_INVALID_INPUT)", async () => {
    const rest = await startedOn((path) => truncate(path, MiB + 5));
    await expect(rest()).rejects.toMatchObject({ code: "E_INVALID_INPUT" });
  });

  it("refuses a file that grew after its header was written (E_INVALID_INPUT)", async () => {
    const rest = await startedOn((path) => appendFile(path, "more"));
    await expect(rest()).rejects.toMatchObject({ code: "E_INVALID_INPUT" });
  });
});

describe("createParallelGzip on deflate threads", () => {
  it("gives the bytes of deflating each block in turn on one thread", async () => {
    const data = Buffer.alloc(5 * 256 * 1024 + 999);
    for (let i = 0, x = 1; i < data.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      data[i] = x % 7 === 0 ? x >>> 24 : 97 + (x % 5);
    }
    const blockSize = 256 * 1024;
    const parts: Buffer[] = [Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])];
    for (let start = 0; start < data.length; start += blockSize) {
      const last = start + blockSize >= data.length;
      const dictionary = start > 0 ? data.subarray(start - 32 * 1024, start) : undefined;
      parts.push(
        deflateRawSync(data.subarray(start, start + blockSize), {
          level: 6,
          finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
          ...(dictionary ? { dictionary } : {}),
        }),
      );
    }
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(data) >>> 0, 0);
    trailer.writeUInt32LE(data.length, 4);
    parts.push(trailer);
    const ours = await buffer(Readable.from([data]).pipe(createParallelGzip(6, blockSize)));
    expect(Buffer.compare(ours, Buffer.concat(parts))).toBe(0);
  });
});
