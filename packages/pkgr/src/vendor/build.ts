import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError, type EventSink, isDeployKitError, type ProcessRunner } from "@deploykit/core";

/** What {@link buildFromSource} needs. */
export interface SourceBuild {
  runner: ProcessRunner;
  /** Path of `make`. */
  make: string;
  /** The unpacked source tree (holds `configure`). */
  sourceDir: string;
  /** The install prefix: what ends up in the tarball. */
  prefix: string;
  configureArgs: readonly string[];
  makeArgs: readonly string[];
  /** Names the input in messages. */
  input: string;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/**
 * The autotools recipe: `./configure --prefix=<prefix> [args]`, `make`, `make install`, every
 * output line streamed as a `log` event of step `build`.
 *
 * @throws `DeployKitError` `E_VENDOR_INVALID` without a configure script, `E_COMMAND_FAILED` when a step fails
 */
export async function buildFromSource(build: SourceBuild): Promise<void> {
  const configure = join(build.sourceDir, "configure");
  const runnable = await access(configure, constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!runnable) {
    throw new DeployKitError(
      "E_VENDOR_INVALID",
      `${build.input} has no executable configure script at its root.`,
      {
        hint: "Pass a release tarball of an autotools project (it ships ./configure), not a git checkout.",
        details: { input: build.input },
      },
    );
  }
  const steps: [string, string[]][] = [
    [configure, [`--prefix=${build.prefix}`, ...build.configureArgs]],
    [build.make, [...build.makeArgs]],
    [build.make, [...build.makeArgs, "install"]],
  ];
  for (const [command, args] of steps) {
    try {
      await build.runner.run(command, args, {
        cwd: build.sourceDir,
        onLine: (stream, line) => build.onEvent?.({ type: "log", step: "build", stream, line }),
        signal: build.signal,
      });
    } catch (error) {
      if (!isDeployKitError(error, "E_COMMAND_FAILED")) throw error;
      throw new DeployKitError("E_COMMAND_FAILED", `Building ${build.input} failed: ${error.message}`, {
        cause: error,
        hint: "Read the build output (log events of step 'build'); fix the source or pass other configureArgs/makeArgs.",
        details: { ...error.details, input: build.input },
      });
    }
  }
}
