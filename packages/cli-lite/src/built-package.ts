import { writeFile } from "node:fs/promises";
import type { BuiltPackage } from "@deploykit/core";
import type { Outcome } from "./command";
import { formatBytes } from "./output/format";

/** Where `deploykit build` leaves a package's manifest, and where `deploykit publish` looks for it. */
export const manifestPathOf = (artifactPath: string) => `${artifactPath}.manifest.json`;

/**
 * Writes the manifest next to the artifact (`<artifact>.manifest.json`), so that
 * `deploykit publish <artifact>` — maybe on another machine — can hand both to `publish()`.
 */
export async function saveBuiltPackage(pkg: BuiltPackage): Promise<Outcome> {
  const manifestPath = manifestPathOf(pkg.path);
  await writeFile(manifestPath, `${JSON.stringify(pkg.manifest, null, 2)}\n`);
  const { app, version, artifact, processes } = pkg.manifest;
  const types = Object.keys(processes);
  return {
    value: { ...pkg, manifestPath },
    lines: [
      `Built ${app} ${version}: ${pkg.path} (${formatBytes(artifact.size)}, sha256 ${artifact.sha256.slice(0, 12)}…)`,
      `Manifest: ${manifestPath}${types.length ? ` (processes: ${types.join(", ")})` : ""}`,
      `Next: deploykit publish ${pkg.path} --store <store>`,
    ],
  };
}
