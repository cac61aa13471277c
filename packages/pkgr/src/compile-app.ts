import { cp, lstat, mkdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { type EventSink, step } from "@deploykit/core";
import { buildEnv, writeEnvDir } from "./buildpack/env";
import { type FetchedBuildpack, fetchBuildpack } from "./buildpack/fetch";
import type { Redactor } from "./buildpack/redact";
import { writeConfigVarsProfile } from "./buildpack/release";
import { runBuildpacks } from "./buildpack/run-buildpacks";
import type { BuildpackSpec } from "./buildpack/spec";
import { runHooks } from "./hooks";
import type { IgnoreRules } from "./pack/ignore-rules";
import { skippedMessage, specialKind } from "./pack/walk";

/** Inputs of {@link compileApp}. */
export interface CompileRequest {
  appDir: string;
  rules: IgnoreRules;
  /** A fresh temp folder this build owns (removed by the caller). */
  workDir: string;
  name: string;
  specs: BuildpackSpec[];
  env: Record<string, string>;
  stack: string;
  buildpackVendorUrl: string | undefined;
  compileCacheDir: string;
  buildpackCacheDir: string;
  refreshBuildpacks: boolean;
  before: string[] | undefined;
  after: string[] | undefined;
  redact: Redactor;
  onEvent: EventSink | undefined;
  signal: AbortSignal | undefined;
}

/** The compiled app: where it is, the process types buildpacks declared, and which ran. */
export interface CompiledApp {
  buildDir: string;
  defaultProcessTypes: Record<string, string>;
  buildpacks: FetchedBuildpack[];
}

/** Drops release `config_vars` whose value holds a build secret: secrets never enter the package. */
function withoutSecrets(vars: Record<string, string>, request: CompileRequest): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (request.redact(value) === value) kept[name] = value;
    else {
      request.onEvent?.({
        type: "warning",
        step: "buildpack:release",
        message: `config var ${name} holds a build secret; it was left out of .profile.d.`,
      });
    }
  }
  return kept;
}

/**
 * Copies the app (minus `.git` and ignored paths) into a build dir, fetches the buildpacks,
 * then runs the before hooks, every buildpack that detects, and the after hooks there.
 * `config_vars` from `bin/release` land in `.profile.d/00_config_vars.sh`.
 */
export async function compileApp(request: CompileRequest): Promise<CompiledApp> {
  const buildDir = join(request.workDir, "build", request.name);
  const home = join(request.workDir, "home");
  const envDir = join(request.workDir, "env");
  await step(request.onEvent, "copy", `Copying ${request.appDir} into the build dir`, async () => {
    await mkdir(home, { recursive: true });
    await cp(request.appDir, buildDir, {
      recursive: true,
      verbatimSymlinks: true,
      filter: async (source) => {
        const path = relative(request.appDir, source).split(sep).join("/");
        const info = await lstat(source);
        if (path === "") return true;
        if (request.rules.ignores(path, info.isDirectory())) return false;
        const special = specialKind(info);
        if (special) {
          request.onEvent?.({ type: "warning", step: "copy", message: skippedMessage(path, special) });
        }
        return special === undefined;
      },
    });
  });
  const buildpacks = await step(request.onEvent, "buildpack:fetch", "Fetching buildpacks", async () => {
    const fetched: FetchedBuildpack[] = [];
    for (const [index, spec] of request.specs.entries()) {
      fetched.push(
        await fetchBuildpack(spec, join(request.workDir, "buildpacks", String(index)), {
          cacheDir: request.buildpackCacheDir,
          refresh: request.refreshBuildpacks,
          onEvent: request.onEvent,
          signal: request.signal,
        }),
      );
    }
    return fetched;
  });
  const env = buildEnv({
    env: request.env,
    stack: request.stack,
    home,
    ...(request.buildpackVendorUrl === undefined ? {} : { buildpackVendorUrl: request.buildpackVendorUrl }),
  });
  const { PATH: _path, HOME: _home, ...envDirVars } = env;
  await writeEnvDir(envDir, envDirVars);
  await mkdir(request.compileCacheDir, { recursive: true });
  const hookContext = {
    buildDir,
    env,
    redact: request.redact,
    onEvent: request.onEvent,
    signal: request.signal,
  };
  await runHooks("before", request.before, hookContext);
  const outcome =
    buildpacks.length === 0
      ? { used: [], defaultProcessTypes: {}, configVars: {} }
      : await runBuildpacks({
          buildDir,
          cacheDir: request.compileCacheDir,
          envDir,
          env,
          buildpacks,
          redact: request.redact,
          onEvent: request.onEvent,
          signal: request.signal,
        });
  await runHooks("after", request.after, hookContext);
  await writeConfigVarsProfile(buildDir, withoutSecrets(outcome.configVars, request));
  return { buildDir, defaultProcessTypes: outcome.defaultProcessTypes, buildpacks: outcome.used };
}
