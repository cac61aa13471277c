import type { Duplex } from "node:stream";
import { DeployKitError } from "@deploykit/core";
import { execa } from "execa";
import { createParallelGzip } from "../pack/parallel-gzip";
import type { DebCompression } from "./targets";

/** The file extension of a member compressed with each method. */
export const COMPRESSION_EXTENSION: Record<DebCompression, string> = { gzip: "gz", xz: "xz", zstd: "zst" };

/** Default level of each method (gzip 6 as `gzip -6`, xz 6, zstd 3 as dpkg-deb). */
export const DEFAULT_LEVEL: Record<DebCompression, number> = { gzip: 6, xz: 6, zstd: 3 };

const LEVEL_RANGE: Record<DebCompression, [number, number]> = { gzip: [1, 9], xz: [0, 9], zstd: [1, 19] };

/** @throws `DeployKitError` `E_INVALID_INPUT` when `level` is outside the method's range. */
export function assertLevel(method: DebCompression, level: number): void {
  const [min, max] = LEVEL_RANGE[method];
  if (!Number.isInteger(level) || level < min || level > max) {
    throw new DeployKitError("E_INVALID_INPUT", `Compression level ${level} is not valid for ${method}.`, {
      hint: `Use an integer from ${min} to ${max}.`,
      details: { method, level },
    });
  }
}

/**
 * A stream that compresses what is written to it. gzip runs in zlib on several libuv threads
 * (see `createParallelGzip`; deterministic); xz and zstd run the system's `xz` / `zstd` single-threaded so output is reproducible.
 */
export function createCompressor(method: DebCompression, level: number): Duplex {
  if (method === "gzip") return createParallelGzip(level);
  const [command, args] =
    method === "xz"
      ? ["xz", ["--compress", "--stdout", "--threads=1", `-${level}`]]
      : ["zstd", ["--compress", "--stdout", "--quiet", "--no-progress", "--threads=1", `-${level}`]];
  return execa(command, args, { stdin: "pipe", stdout: "pipe", stderr: "pipe", buffer: false }).duplex();
}

/** Turns a failure to start `xz` / `zstd` into `E_TOOL_MISSING`; other errors pass through. */
export function compressorError(method: DebCompression, error: unknown): unknown {
  const code = (error as { code?: string } | undefined)?.code;
  if (method === "gzip" || code !== "ENOENT") return error;
  return new DeployKitError("E_TOOL_MISSING", `Could not start ${method} to compress data.tar.`, {
    cause: error,
    hint: `Install it (apt-get install ${method === "xz" ? "xz-utils" : "zstd"}) or use gzip.`,
  });
}
