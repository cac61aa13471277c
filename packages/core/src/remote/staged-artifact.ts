import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { hashingStream } from "../hashing";
import { createArchiveGuard } from "../host/archive-guard";
import type { ReleaseManifest } from "../manifest";
import type { ArtifactStore } from "../store/artifact-store";
import { storeKeys } from "../store/keys";
import { artifactMismatch } from "./artifact-mismatch";

/**
 * A release's artifact read from the store ONCE, checked on this machine (size and sha256
 * against the manifest; a `.tgz` also through the archive guard) and kept in a private local
 * temp file: what a rollout sends to each of its hosts, instead of reading and scanning the same
 * bytes again per host. Made only by {@link stageArtifact}; pass it as `staged` to `install()` /
 * `deploy()` on remote hosts. Each host still checks the bytes' sha256 itself before keeping them.
 */
export interface StagedArtifact {
  readonly app: string;
  readonly version: string;
  /** The manifest's artifact these bytes are: file name, size (bytes), sha256 (hex). */
  readonly artifact: Readonly<ReleaseManifest["artifact"]>;
  readonly format: ReleaseManifest["format"];
  /** Removes the local copy (later installs read the store again). Safe to call twice. */
  dispose(): void;
}

/** The local file of each live staged artifact: only {@link stageArtifact} adds to it. */
const files = new WeakMap<StagedArtifact, string>();

/**
 * Reads `manifest`'s artifact from `store` into a private temp dir (mode 0700), hashing it and,
 * for a `.tgz`, scanning it with the archive guard on the way, as an install streaming to a
 * host would. Nothing is kept when a check fails.
 *
 * @throws `E_CHECKSUM_MISMATCH` (the stored bytes are not the manifest's), `E_UNSAFE_ARCHIVE`,
 * store errors (`E_NOT_FOUND`...), `E_ABORTED`.
 */
export async function stageArtifact(
  store: ArtifactStore,
  manifest: ReleaseManifest,
  options: { signal?: AbortSignal } = {},
): Promise<StagedArtifact> {
  const { app, version, format } = manifest;
  const { file, size, sha256 } = manifest.artifact;
  const dir = mkdtempSync(join(tmpdir(), "deploykit-staged-"));
  const path = join(dir, "artifact");
  try {
    const body = await store.get(storeKeys.artifact(app, version, file), options);
    const hashing = hashingStream();
    const toFile = new PassThrough();
    hashing.pipe(toFile);
    const toGuard = format === "tgz" ? new PassThrough() : undefined;
    if (toGuard) hashing.pipe(toGuard);
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    const read = pipeline(body, hashing).catch((error: unknown) => {
      toFile.destroy();
      toGuard?.destroy();
      throw error;
    });
    const written = pipeline(toFile, createWriteStream(path, { mode: 0o600 })).catch((error: unknown) => {
      body.destroy();
      throw error;
    });
    // A refused archive does not stop the read: bytes that are not the manifest's say more.
    const scanned = toGuard
      ? pipeline(toGuard, createGunzip(), createArchiveGuard(file), discard).then(
          () => undefined,
          (error: unknown) => error,
        )
      : undefined;
    await Promise.all([read, written]);
    if (hashing.bytes !== size || hashing.digest() !== sha256)
      throw artifactMismatch(file, store.location, manifest, hashing);
    const refused = await scanned;
    if (refused !== undefined) throw refused;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const staged: StagedArtifact = {
    app,
    version,
    artifact: { file, size, sha256 },
    format,
    dispose: () => {
      files.delete(staged);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  files.set(staged, path);
  return staged;
}

/**
 * The local file of `staged` when it holds exactly `manifest`'s artifact (same app, version,
 * format, file, size and sha256) and was made by {@link stageArtifact}; else `undefined` (the
 * install then reads the store as usual).
 */
export function stagedFileFor(
  staged: StagedArtifact | undefined,
  manifest: ReleaseManifest,
): string | undefined {
  if (!staged) return undefined;
  const path = files.get(staged);
  const { artifact } = manifest;
  const same =
    staged.app === manifest.app &&
    staged.version === manifest.version &&
    staged.format === manifest.format &&
    staged.artifact.file === artifact.file &&
    staged.artifact.size === artifact.size &&
    staged.artifact.sha256 === artifact.sha256;
  return same ? path : undefined;
}
