import { z } from "zod";
import { DeployKitError } from "./errors";
import { parseVersion } from "./names";

/** The manifest schema version this library writes and reads. */
export const MANIFEST_SCHEMA_VERSION = 1;

/** The artifact formats deploykit builds and installs. */
export type ArtifactFormat = "tgz" | "deb";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a lowercase hex sha256");

const manifestSchema = z
  .object({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    app: z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, "a Debian package name"),
    version: z.string().refine((v) => parseVersion(v) !== undefined, "a Debian version"),
    format: z.enum(["tgz", "deb"]),
    artifact: z.object({
      file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+~:-]*$/, "a plain file name"),
      size: z.number().int().nonnegative(),
      sha256,
    }),
    createdAt: z.iso.datetime(),
    build: z.object({
      buildpacks: z.array(z.object({ url: z.string(), commit: z.string().optional() })),
      stack: z.string().optional(),
      sourceCommit: z.string().optional(),
    }),
    processes: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), z.string()),
  })
  .refine((m) => m.format !== "tgz" || !m.version.includes(":"), {
    path: ["version"],
    message: "no epoch in a .tgz release (releases/<version> would hold a ':', which splits PATH)",
  });

/**
 * What a published release is: the unit of trust. Written next to the artifact in the store,
 * validated whenever it is read.
 */
export interface ReleaseManifest {
  /** Always {@link MANIFEST_SCHEMA_VERSION}. */
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  /** App name (Debian package-name syntax). */
  app: string;
  /** Release version (Debian version syntax). */
  version: string;
  /** How the artifact is packed. */
  format: ArtifactFormat;
  /** The artifact file: name in the release's store folder, byte size, sha256 (hex). */
  artifact: { file: string; size: number; sha256: string };
  /** When the artifact was built (ISO 8601). */
  createdAt: string;
  /** Build facts: buildpacks with their resolved commits, stack, source commit. */
  build: {
    buildpacks: { url: string; commit?: string }[];
    stack?: string;
    sourceCommit?: string;
  };
  /** Process types from the Procfile (and buildpack defaults): name to command. */
  processes: Record<string, string>;
}

/**
 * Validates an unknown value as a {@link ReleaseManifest}.
 *
 * @param source - where it came from, named in the error (a store key or file path).
 * @throws {@link DeployKitError} `E_MANIFEST_INVALID` listing every problem found.
 */
export function parseManifest(value: unknown, source: string): ReleaseManifest {
  const result = manifestSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new DeployKitError(
      "E_MANIFEST_INVALID",
      `The release manifest at ${source} is invalid: ${problems.join("; ")}.`,
      {
        hint: "Republish the release with this version of deploykit; never edit a manifest by hand.",
        details: { source, problems },
      },
    );
  }
  return result.data as ReleaseManifest;
}

/** Parses manifest JSON text; malformed JSON is `E_MANIFEST_INVALID` too. */
export function parseManifestJson(text: string, source: string): ReleaseManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DeployKitError("E_MANIFEST_INVALID", `The release manifest at ${source} is not valid JSON.`, {
      cause,
      hint: "Republish the release; the stored manifest is damaged.",
      details: { source },
    });
  }
  return parseManifest(value, source);
}
