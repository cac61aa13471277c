import { DeployKitError } from "@deploykit/core";
import type { ArtifactWriter } from "./artifact-writer";
import { writeDebArtifact } from "./deb/artifact";
import type { BuildFormat } from "./options";
import { writeTgzArtifact } from "./pack/tgz";

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
