import type { ReleaseManifest } from "./manifest";

/**
 * A built artifact on the local disk with its manifest, as `buildPackage` returns it and
 * `publish` takes it. `manifest.artifact` describes the file at `path`.
 */
export interface BuiltPackage {
  /** Absolute path of the artifact file. */
  path: string;
  manifest: ReleaseManifest;
}
