import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError, type EventSink, isDeployKitError, type ProcessRunner } from "@deploykit/core";

/** What {@link buildFromSource} needs. */
export interface SourceBuild {
  runner: ProcessRunner;
  /** Path of `make`. */
  make: string;
  /** Path of `autoreconf`, when installed (needed only for a tree without `configure`). */
  autoreconf?: string;
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

const executable = (path: string) =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The autotools recipe: `./configure --prefix=<prefix> [args]`, `make`, `make install`, every
 * output line streamed as a `log` event of step `build`. A tree with `configure.ac` (or
 * `configure.in`) but no `configure` — a git export such as Debian's libyaml source — gets
 * `autoreconf -fi` first, as its README says to do by hand.
 *
 * @throws `DeployKitError` `E_VENDOR_INVALID` without a configure script or configure.ac,
 *   `E_TOOL_MISSING` when autoreconf is needed but not installed, `E_COMMAND_FAILED` when a step fails
 */
export async function buildFromSource(build: SourceBuild): Promise<void> {
  const configure = join(build.sourceDir, "configure");
  const generate =
    !(await executable(configure)) &&
    ((await exists(join(build.sourceDir, "configure.ac"))) ||
      (await exists(join(build.sourceDir, "configure.in"))));
  if (!generate && !(await executable(configure))) {
    throw new DeployKitError(
      "E_VENDOR_INVALID",
      `${build.input} has no executable configure script (and no configure.ac) at its root.`,
      {
        hint: "Pass a release tarball of an autotools project (it ships ./configure) or a tree with configure.ac.",
        details: { input: build.input },
      },
    );
  }
  if (generate && build.autoreconf === undefined) {
    throw new DeployKitError(
      "E_TOOL_MISSING",
      `${build.input} has configure.ac but no configure, and \`autoreconf\` is not installed.`,
      {
        hint: "Install it (Debian/Ubuntu: apt-get install autoconf automake libtool), then run the command again.",
        details: { tool: "autoreconf", input: build.input },
      },
    );
  }
  const steps: [string, string[]][] = [
    ...(generate && build.autoreconf ? [[build.autoreconf, ["-fi"]] as [string, string[]]] : []),
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
