// The parallel gzip stream behind data.tar.gz: a standard gzip member that gunzip and GNU gzip
// read back byte for byte, deterministic, and about as small as single-threaded gzip.
import { execFileSync } from "node:child_process";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createParallelGzip } from "../src/pack/parallel-gzip";

function sample(bytes: number, seed = 7): Buffer {
  const words = ["deploy", "kit", "release", "package", "unicorn", "sidekiq", "\n", "  ", "{", "}"];
  const out = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; ) {
    x = (x * 1103515245 + 12345) >>> 0;
    if (x % 17 === 0) out[i++] = x & 0xff;
    else i += out.write(words[x % words.length] as string, i);
  }
  return out;
}

const compress = (data: Buffer, level = 6, blockSize = 64 * 1024, pieces = 7) => {
  const parts: Buffer[] = [];
  for (let i = 0; i < pieces; i++)
    parts.push(
      data.subarray(Math.floor((i * data.length) / pieces), Math.floor(((i + 1) * data.length) / pieces)),
    );
  return buffer(Readable.from(parts).pipe(createParallelGzip(level, blockSize)));
};

describe("createParallelGzip", () => {
  it("round-trips through zlib and GNU gzip, including back-references across blocks", async () => {
    const data = sample(1_000_000);
    const gz = await compress(data);
    expect(Buffer.compare(gunzipSync(gz), data)).toBe(0);
    expect(Buffer.compare(execFileSync("gzip", ["-dc"], { input: gz, maxBuffer: 1 << 26 }), data)).toBe(0);
    expect([...gz.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
  });

  it("is deterministic and within 1% of single-threaded gzip at the same level", async () => {
    const data = sample(2_000_000, 11);
    const a = await compress(data, 6, 256 * 1024, 3);
    const b = await compress(data, 6, 256 * 1024, 11);
    expect(Buffer.compare(a, b)).toBe(0);
    const single = gzipSync(data, { level: 6 }).length;
    expect(Math.abs(a.length / single - 1)).toBeLessThan(0.01);
  });

  it("writes a valid member for empty input and for input of exactly one block", async () => {
    expect(gunzipSync(await compress(Buffer.alloc(0), 9, 1024, 1)).length).toBe(0);
    const block = sample(1024);
    expect(Buffer.compare(gunzipSync(await compress(block, 9, 1024, 1)), block)).toBe(0);
  });
});
