// Shared by the suites that ship a release to SSH test hosts (bench/remote, bench/fleet): a
// .tgz of incompressible bytes (gzip -1), so the transfer, not the compression, is measured,
// and its manifest as `buildPackage` would write it.
import { execFileSync } from "node:child_process";
import { createHash, randomFillSync } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The median of some numbers (the middle one of the sorted values). */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Writes `<work>/<app>-<version>.tgz`: `files` blobs of random bytes, `size` bytes in all.
 * @returns `{ path, manifest }`, what `publish` takes.
 */
export function incompressibleRelease(work, { app = "bench", version, size, files = 1, processes = {} }) {
  const tree = join(work, `tree-${version}`);
  mkdirSync(tree, { recursive: true });
  const block = Buffer.allocUnsafe(Math.floor(size / files));
  for (let i = 0; i < files; i++) writeFileSync(join(tree, `blob-${i}.bin`), randomFillSync(block));
  const file = `${app}-${version}.tgz`;
  const path = join(work, file);
  execFileSync("sh", ["-c", `tar -C "${tree}" -cf - . | gzip -1 > "${path}"`]);
  rmSync(tree, { recursive: true, force: true });
  const data = readFileSync(path);
  const manifest = {
    schemaVersion: 1,
    app,
    version,
    format: "tgz",
    artifact: { file, size: data.length, sha256: createHash("sha256").update(data).digest("hex") },
    createdAt: new Date().toISOString(),
    build: { buildpacks: [] },
    processes,
  };
  return { path, manifest };
}
