import { DeployKitError } from "../errors";
import type { HashingStream } from "../hashing";
import type { ReleaseManifest } from "../manifest";

/** `E_CHECKSUM_MISMATCH`: the artifact read from the store is not the one its manifest names. */
export const artifactMismatch = (
  file: string,
  location: string,
  manifest: ReleaseManifest,
  hashing: HashingStream,
) =>
  new DeployKitError(
    "E_CHECKSUM_MISMATCH",
    `${file} from ${location} does not match its manifest (got ${hashing.bytes} bytes, sha256 ${hashing.digest()}).`,
    {
      hint: "The stored artifact is corrupted or was replaced: republish the release under a new version.",
      details: {
        expected: { size: manifest.artifact.size, sha256: manifest.artifact.sha256 },
        actual: { size: hashing.bytes, sha256: hashing.digest() },
      },
    },
  );
