import type { BuildOptions, PackageMetadata } from "./options";
import type { IgnoreRules } from "./pack/ignore-rules";
import type { WrittenArtifact } from "./pack/write-hashed";

/**
 * What a format writer may know about the package: {@link PackageMetadata} (maintainer,
 * dependencies, hooks, init system...) plus its owner and home — never the whole build
 * (buildpacks, env, caches). `appDir` is the app's SOURCE folder (hook paths are relative to
 * it); the tree to pack is {@link ArtifactRequest.root}.
 */
export type ArtifactMetadata = PackageMetadata & Pick<BuildOptions, "appDir" | "user" | "group" | "home">;

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
  /** The package's metadata (user, group, home, maintainer, dependencies...). */
  metadata: ArtifactMetadata;
  onBytes: (bytes: number) => void;
  /** Sees the package's uncompressed bytes (the secret scan); writers call it when they can. */
  onContent?: (chunk: Buffer) => void;
  /** Hears what was left out and why (sockets, FIFOs, device files), as warning messages. */
  onWarning?: (message: string) => void;
  signal: AbortSignal | undefined;
}

/** Writes one artifact format; hashing and sizing happen while writing (see `writeHashed`). */
export type ArtifactWriter = (request: ArtifactRequest) => Promise<WrittenArtifact>;
