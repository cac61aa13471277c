import { access } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError, type EventSink, step, throwIfAborted } from "@deploykit/core";
import type { FetchedBuildpack } from "./fetch";
import type { Redactor } from "./redact";
import { parseRelease, type ReleaseInfo } from "./release";
import { runScript, TAIL_LINES } from "./run-script";

/** Everything the detect / compile / release loop needs. */
export interface BuildpackPass {
  buildDir: string;
  /** Persistent `CACHE_DIR`. */
  cacheDir: string;
  envDir: string;
  env: Record<string, string>;
  buildpacks: FetchedBuildpack[];
  redact: Redactor;
  onEvent: EventSink | undefined;
  signal: AbortSignal | undefined;
}

/** The outcome: buildpacks that ran, and the merged release info (last process types win). */
export interface BuildpackOutcome extends ReleaseInfo {
  used: FetchedBuildpack[];
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Runs each buildpack that detects, in order: `bin/detect BUILD`, `bin/compile BUILD CACHE
 * ENV_DIR`, `bin/release BUILD`; a buildpack's `export` file is sourced before the next one runs.
 *
 * @throws `DeployKitError` `E_BUILDPACK_DETECT` when none detects, `E_BUILDPACK_COMPILE`
 * with the redacted output tail when a compile (or release) fails.
 */
export async function runBuildpacks(pass: BuildpackPass): Promise<BuildpackOutcome> {
  const exportFiles: string[] = [];
  const used: FetchedBuildpack[] = [];
  const tried: { url: string; exitCode: number }[] = [];
  const outcome: BuildpackOutcome = { used, defaultProcessTypes: {}, configVars: {} };
  const base = {
    cwd: pass.buildDir,
    env: pass.env,
    onEvent: pass.onEvent,
    redact: pass.redact,
    signal: pass.signal,
  };
  for (const buildpack of pass.buildpacks) {
    throwIfAborted(pass.signal);
    const script = (name: string) => join(buildpack.dir, "bin", name);
    const detect = await runScript({
      ...base,
      command: script("detect"),
      args: [pass.buildDir],
      exportFiles,
      step: "buildpack:detect",
      collect: true,
    });
    if (detect.exitCode !== 0) {
      tried.push({ url: buildpack.url, exitCode: detect.exitCode });
      continue;
    }
    const framework = pass.redact(detect.stdout.trim()) || buildpack.url;
    await step(
      pass.onEvent,
      "buildpack:compile",
      `Compiling with ${framework} (${buildpack.url})`,
      async () => {
        const compile = await runScript({
          ...base,
          command: script("compile"),
          args: [pass.buildDir, pass.cacheDir, pass.envDir],
          exportFiles,
          step: "buildpack:compile",
          collect: false,
        });
        if (compile.exitCode !== 0) {
          throw new DeployKitError(
            "E_BUILDPACK_COMPILE",
            `Buildpack ${buildpack.url} failed to compile the app (exit ${compile.exitCode}). Last lines:\n${compile.tail.join("\n")}`,
            {
              hint: "Read the buildpack output above; a missing --env var or vendor tarball is the usual cause.",
              details: {
                buildpack: buildpack.url,
                exitCode: compile.exitCode,
                tail: compile.tail.slice(-TAIL_LINES),
              },
            },
          );
        }
      },
    );
    if (await exists(script("release"))) {
      const release = await runScript({
        ...base,
        command: script("release"),
        args: [pass.buildDir],
        exportFiles,
        step: "buildpack:release",
        collect: true,
      });
      if (release.exitCode !== 0) {
        throw new DeployKitError(
          "E_BUILDPACK_COMPILE",
          `bin/release of ${buildpack.url} failed (exit ${release.exitCode}).`,
          {
            hint: "The buildpack compiled but could not describe the release; check its bin/release.",
            details: { buildpack: buildpack.url, exitCode: release.exitCode, tail: release.tail },
          },
        );
      }
      const info = parseRelease(release.stdout);
      if (Object.keys(info.defaultProcessTypes).length > 0)
        outcome.defaultProcessTypes = info.defaultProcessTypes;
      Object.assign(outcome.configVars, info.configVars);
    }
    used.push(buildpack);
    const exportFile = join(buildpack.dir, "export");
    if (await exists(exportFile)) exportFiles.push(exportFile);
  }
  if (used.length === 0) {
    throw new DeployKitError(
      "E_BUILDPACK_DETECT",
      `No buildpack detected the app. Tried: ${tried.map((t) => `${t.url} (detect exit ${t.exitCode})`).join(", ")}.`,
      {
        hint: "Pick a buildpack for this kind of app with --buildpack, or list several in .buildpacks.",
        details: { tried },
      },
    );
  }
  return outcome;
}
