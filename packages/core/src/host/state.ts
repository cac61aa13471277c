import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { DeployKitError } from "../errors";
import { parseManifest, type ReleaseManifest } from "../manifest";

/** One release known to a host. */
export interface InstalledEntry {
  manifest: ReleaseManifest;
  installedAt: string;
  /** Where the release lives: `releases/<v>` for .tgz, the package's home for .deb. */
  dir: string;
  /** The cached artifact, relative to `.deploykit/cache`, while it is kept. */
  cached?: string;
}

/** One line of a host's deploy history. */
export interface HistoryEntry {
  action: "install" | "rollback" | "auto-rollback";
  version: string;
  from?: string;
  at: string;
}

/** `.deploykit/state.json`: which release is live and what was installed when. */
export interface HostState {
  schemaVersion: 1;
  app?: string;
  current?: string;
  previous?: string;
  releases: Record<string, InstalledEntry>;
  history: HistoryEntry[];
}

const stateSchema = z.object({
  schemaVersion: z.literal(1),
  app: z.string().optional(),
  current: z.string().optional(),
  previous: z.string().optional(),
  releases: z.record(
    z.string(),
    z.object({
      manifest: z.unknown(),
      installedAt: z.string(),
      dir: z.string(),
      cached: z.string().optional(),
    }),
  ),
  history: z.array(
    z.object({
      action: z.enum(["install", "rollback", "auto-rollback"]),
      version: z.string(),
      from: z.string().optional(),
      at: z.string(),
    }),
  ),
});

/** Reads a host's state; an absent file is an empty state. */
export async function readState(path: string): Promise<HostState> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { schemaVersion: 1, releases: {}, history: [] };
    throw error;
  }
  const parsed = stateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new DeployKitError("E_MANIFEST_INVALID", `The host state ${path} is damaged.`, {
      hint: "Restore it from a backup, or move it aside and reinstall the live release.",
      details: { path },
    });
  }
  const releases: Record<string, InstalledEntry> = {};
  for (const [version, entry] of Object.entries(parsed.data.releases)) {
    releases[version] = { ...entry, manifest: parseManifest(entry.manifest, path) };
  }
  return { ...parsed.data, schemaVersion: 1, releases };
}

/** Writes a host's state through a temp file and a rename. */
export async function writeState(path: string, state: HostState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, path);
}
