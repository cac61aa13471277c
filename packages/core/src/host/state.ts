import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { DeployKitError } from "../errors";
import type { HealthcheckOptions } from "../healthcheck";
import { parseManifest, type ReleaseManifest } from "../manifest";
import type { Clock } from "../ports/clock";
import type { HostRelease } from "../strategy";
import { rollbackTarget } from "./rollback-line";

/** One release known to a host. */
export interface InstalledEntry {
  manifest: ReleaseManifest;
  installedAt: string;
  /** Where the release lives: `releases/<v>` for .tgz, the package's home for .deb. */
  dir: string;
  /** The cached artifact, relative to `.deploykit/cache`, while it is kept. */
  cached?: string;
  /** How the release was last brought up healthy (see {@link StartedWith}). */
  startedWith?: StartedWith;
}

/**
 * How a release was last brought up and passed its gate: the strategy's name and JSON settings
 * (`RuntimeStrategy.settings`) and the health gate used (none when absent; a RegExp `expectBody`
 * is not kept). An automatic rollback to the release brings it up the same way again.
 */
export interface StartedWith {
  strategy: string;
  settings?: Record<string, unknown>;
  healthcheck?: Omit<HealthcheckOptions, "expectBody"> & { expectBody?: string };
}

/** One line of a host's deploy history. */
export interface HistoryEntry {
  action: "install" | "rollback" | "auto-rollback" | "recover";
  version: string;
  from?: string;
  at: string;
}

/** A signed channel a host installed from: the newest signature it accepted (replay check). */
export interface FollowedChannel {
  version: string;
  /** When the channel's signature was made (its trusted comment's `timestamp:`), Unix time in s. */
  signedAt: number;
}

/** `.deploykit/state.json`: which release is live and what was installed when. */
export interface HostState {
  schemaVersion: 1;
  app?: string;
  current?: string;
  /** Where a plain rollback goes from `current` (kept by {@link recordLive}). */
  previous?: string;
  releases: Record<string, InstalledEntry>;
  history: HistoryEntry[];
  /** Per channel name, the newest signed pointer this host installed from. */
  channels?: Record<string, FollowedChannel>;
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
      startedWith: z
        .object({
          strategy: z.string(),
          settings: z.record(z.string(), z.unknown()).optional(),
          healthcheck: z
            .object({
              url: z.string(),
              timeoutMs: z.number().optional(),
              intervalMs: z.number().optional(),
              requestTimeoutMs: z.number().optional(),
              expectBody: z.string().optional(),
              versionHeader: z.string().optional(),
              verifyRelease: z.boolean().optional(),
            })
            .optional(),
        })
        .optional(),
    }),
  ),
  channels: z.record(z.string(), z.object({ version: z.string(), signedAt: z.number() })).optional(),
  history: z.array(
    z.object({
      action: z.enum(["install", "rollback", "auto-rollback", "recover"]),
      version: z.string(),
      from: z.string().optional(),
      at: z.string(),
    }),
  ),
});

const corrupt = (path: string, why: string, cause?: unknown) =>
  new DeployKitError("E_STATE_CORRUPT", `The host state ${path} is damaged (${why}).`, {
    ...(cause === undefined ? {} : { cause }),
    hint: "Move it aside (mv state.json state.json.bad) and install the live version again: the state starts over from it (older releases are forgotten; their directories stay).",
    details: { path },
  });

/**
 * Reads a host's state (`<root>/.deploykit/state.json`); an absent file is an empty state. A
 * `.tgz` release's `dir` is derived from the root the file is in (`<root>/releases/<version>`),
 * never taken from the file: a root copied or moved elsewhere (`cp -a`) resolves its releases in
 * its own place, whatever absolute path an older run recorded. @throws `E_STATE_CORRUPT`
 */
export async function readState(path: string): Promise<HostState> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return parseState(undefined, path);
    throw error;
  }
  const state = parseState(text, path);
  const releasesDir = join(dirname(dirname(path)), "releases");
  for (const [version, entry] of Object.entries(state.releases)) {
    if (entry.manifest.format === "tgz") entry.dir = join(releasesDir, version);
  }
  return state;
}

/**
 * Parses the text of a state file (read locally or from a remote host); `undefined` (no file)
 * is an empty state. `path` names it in errors. @throws `E_STATE_CORRUPT`
 */
export function parseState(text: string | undefined, path: string): HostState {
  if (text === undefined) return { schemaVersion: 1, releases: {}, history: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, "not JSON", error);
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success)
    throw corrupt(path, parsed.error.issues[0]?.message ?? "unexpected shape", parsed.error);
  const releases: Record<string, InstalledEntry> = {};
  for (const [version, entry] of Object.entries(parsed.data.releases)) {
    try {
      releases[version] = { ...entry, manifest: parseManifest(entry.manifest, path) };
    } catch (error) {
      throw corrupt(path, `the manifest of ${version} is invalid`, error);
    }
  }
  return { ...parsed.data, schemaVersion: 1, releases };
}

/** The text {@link writeState} writes (pretty JSON and a newline). */
export const stateText = (state: HostState) => `${JSON.stringify(state, null, 2)}\n`;

/** Writes a host's state through a temp file and a rename, so a crash leaves the old or the new file. */
export async function writeState(path: string, state: HostState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, stateText(state));
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The {@link HostRelease} of a state entry. */
export function hostRelease(state: HostState, version: string | undefined): HostRelease | undefined {
  const entry = version === undefined ? undefined : state.releases[version];
  return entry && { version: entry.manifest.version, dir: entry.dir, manifest: entry.manifest };
}

/**
 * The release live before `current` (the last switch's `from`): what a strategy receives as
 * `previous` when it restarts the live release outside a deploy. Not where a rollback goes
 * (`state.previous`): after a rollback it is the release rolled back from.
 */
export function liveBefore(state: HostState): HostRelease | undefined {
  return hostRelease(state, state.history.at(-1)?.from);
}

const timestamp = (clock: Clock) => new Date(clock.now()).toISOString();

/** Records a release as installed (unpacked or dpkg-installed) but not yet live. Mutates `state`. */
export function recordInstalled(
  state: HostState,
  manifest: ReleaseManifest,
  dir: string,
  cached: string,
  clock: Clock,
): void {
  state.app = manifest.app;
  state.releases[manifest.version] = { manifest, installedAt: timestamp(clock), dir, cached };
}

/**
 * Records that `version` went live by `action`, and names as `previous` where a plain rollback
 * would go from it ({@link rollbackTarget}: back along the order releases went live, past failed
 * ones). Mutates `state`.
 */
export function recordLive(
  state: HostState,
  version: string,
  action: HistoryEntry["action"],
  clock: Clock,
): void {
  const from = state.current;
  state.current = version;
  state.history.push({ action, version, ...(from ? { from } : {}), at: timestamp(clock) });
  const previous = rollbackTarget(state);
  if (previous === undefined) delete state.previous;
  else state.previous = previous;
}
