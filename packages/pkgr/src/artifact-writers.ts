import { join } from "node:path";
import { DeployKitError } from "@deploykit/core";
import { writeDebArtifact } from "./deb/artifact";
import type { BuildFormat, BuildOptions } from "./options";
import type { IgnoreRules } from "./pack/ignore-rules";
import { writeTgz } from "./pack/tgz";
import { skippedMessage } from "./pack/walk";
import type { WrittenArtifact } from "./pack/write-hashed";

/** Everything a format writer gets: the tree to pack and the facts of the build. */
export interface ArtifactRequest {
  /** The tree that becomes the installed app. */
  root: string;
  /** Paths under `root` to leave out. */
  rules: IgnoreRules;
  /** Every entry's mtime (reproducible builds). */
  mtime: Date;
  /** Folder the artifact file goes into. */
  outDir: string;
  /** App name and full version (`<version>[-<iteration>]`), both already validated. */
  name: string;
  version: string;
  /** Process types (Procfile over buildpack defaults). */
  processes: Record<string, string>;
  /** The types that run as services (see `serviceTypes`). */
  services: string[];
  /** The merged build options (user, group, home, package metadata...). */
  options: BuildOptions;
  onBytes: (bytes: number) => void;
  /** Sees the package's uncompressed bytes (the secret scan); writers call it when they can. */
  onContent?: (chunk: Buffer) => void;
  /** Hears what was left out and why (sockets, FIFOs, device files), as warning messages. */
  onWarning?: (message: string) => void;
  signal: AbortSignal | undefined;
}

/** Writes one artifact format; hashing and sizing happen while writing (see `writeHashed`). */
export type ArtifactWriter = (request: ArtifactRequest) => Promise<WrittenArtifact>;

const writeTgzArtifact: ArtifactWriter = (request) =>
  writeTgz({
    root: request.root,
    rules: request.rules,
    mtime: request.mtime,
    dest: join(request.outDir, `${request.name}_${request.version}.tgz`),
    onBytes: request.onBytes,
    ...(request.onContent ? { onTarData: request.onContent } : {}),
    onSkip: (path, kind) => request.onWarning?.(skippedMessage(path, kind)),
    ...(request.signal ? { signal: request.signal } : {}),
  });

/** The format seam: one writer per {@link BuildFormat}. */
const WRITERS: Partial<Record<BuildFormat, ArtifactWriter>> = {
  tgz: writeTgzArtifact,
  deb: writeDebArtifact,
};

/**
 * The writer for a format.
 *
 * @throws `DeployKitError` `E_UNSUPPORTED_FORMAT` for a format with no writer yet.
 */
export function artifactWriter(format: BuildFormat): ArtifactWriter {
  const writer = WRITERS[format];
  if (!writer) {
    throw new DeployKitError("E_UNSUPPORTED_FORMAT", `Unknown package format "${String(format)}".`, {
      hint: `Use one of: ${Object.keys(WRITERS).join(", ")}.`,
      details: { format, supported: Object.keys(WRITERS) },
    });
  }
  return writer;
}
