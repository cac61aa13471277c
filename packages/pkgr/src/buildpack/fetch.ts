import { access, constants } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError, type EventSink } from "@deploykit/core";
import { fetchGitBuildpack } from "./fetch-git";
import { fetchTarballBuildpack } from "./fetch-tarball";
import { type BuildpackSpec, describeSpec } from "./spec";

/** A buildpack ready to run. */
export interface FetchedBuildpack {
  /** How it was named (credentials stripped), e.g. `https://host/bp.git#v2`. */
  url: string;
  /** Its root folder (holding `bin/detect`, `bin/compile`). */
  dir: string;
  /** The resolved git commit, for git buildpacks. */
  commit?: string;
}

/** Shared settings for fetching buildpacks. */
export interface FetchSettings {
  cacheDir: string;
  refresh: boolean;
  onEvent: EventSink | undefined;
  signal: AbortSignal | undefined;
}

async function assertBuildpack(dir: string, name: string): Promise<void> {
  for (const script of ["bin/detect", "bin/compile"]) {
    const ok = await access(join(dir, script), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (!ok) {
      throw new DeployKitError(
        "E_BUILDPACK_FETCH",
        `${name} is not a buildpack: ${script} is missing or not executable.`,
        {
          hint: "A buildpack needs executable bin/detect and bin/compile (bin/release optional).",
          details: { buildpack: name, missing: script },
        },
      );
    }
  }
}

/** Fetches one buildpack into `workDir` (git and tarballs) or uses it in place (a directory). */
export async function fetchBuildpack(
  spec: BuildpackSpec,
  workDir: string,
  settings: FetchSettings,
): Promise<FetchedBuildpack> {
  const url = describeSpec(spec);
  let fetched: FetchedBuildpack;
  if (spec.kind === "dir") {
    fetched = { url, dir: spec.path };
  } else if (spec.kind === "tarball") {
    fetched = { url, dir: await fetchTarballBuildpack(spec.url, workDir, settings.signal) };
  } else {
    const { commit } = await fetchGitBuildpack({
      url: spec.url,
      ...(spec.ref === undefined ? {} : { ref: spec.ref }),
      cacheDir: settings.cacheDir,
      refresh: settings.refresh,
      into: workDir,
      onEvent: settings.onEvent,
      signal: settings.signal,
    });
    fetched = { url, dir: workDir, commit };
  }
  await assertBuildpack(fetched.dir, url);
  return fetched;
}
