import type { EventSink } from "@deploykit/core";
import { DeployKitError } from "@deploykit/core";
import { execa } from "execa";
import type { Redactor } from "./redact";

/**
 * Sources each earlier buildpack's `export` file, then runs the program with its stdout and
 * stderr on real pipes (bash process substitution): Node hands children a socket, on which
 * `echo x > /dev/stderr` fails with "No such device or address".
 */
const WITH_EXPORTS =
  'n=$1; shift; while [ "$n" -gt 0 ]; do . "$1"; shift; n=$((n-1)); done; "$@" > >(cat) 2> >(cat >&2); exit $?';

/** How many output lines an error keeps. */
export const TAIL_LINES = 20;

/** One buildpack script invocation. */
export interface ScriptRun {
  /** Program and arguments (e.g. `bin/compile BUILD CACHE ENV`). */
  command: string;
  args: string[];
  cwd: string;
  /** The complete environment (nothing is inherited). */
  env: Record<string, string>;
  /** `export` files of earlier buildpacks, sourced in order before the program runs. */
  exportFiles: string[];
  /** Event step name for the log lines. */
  step: string;
  onEvent: EventSink | undefined;
  redact: Redactor;
  /** Keep stdout for the caller (detect, release); compile output is only streamed. */
  collect: boolean;
  signal: AbortSignal | undefined;
}

/** What a script left: its exit code, stdout (when collected) and the redacted output tail. */
export interface ScriptResult {
  exitCode: number;
  stdout: string;
  tail: string[];
}

/**
 * Runs a buildpack script under bash with a clean env, streaming every output line as a
 * redacted `log` event. A non-zero exit is returned, not thrown; the caller names the failure.
 */
export async function runScript(run: ScriptRun): Promise<ScriptResult> {
  const tail: string[] = [];
  const lines = (stream: "stdout" | "stderr") =>
    function* (line: unknown) {
      const text = run.redact(String(line));
      run.onEvent?.({ type: "log", step: run.step, stream, line: text });
      tail.push(text);
      if (tail.length > TAIL_LINES) tail.shift();
      yield line;
    };
  const child = execa(
    "bash",
    [
      "-c",
      WITH_EXPORTS,
      "bash",
      String(run.exportFiles.length),
      ...run.exportFiles,
      run.command,
      ...run.args,
    ],
    {
      cwd: run.cwd,
      env: run.env,
      extendEnv: false,
      stdin: "ignore",
      reject: false,
      // Its own process group, so an abort stops the script's children (curl, gzip...) too:
      // they hold the output pipes open and would otherwise outlive it.
      detached: true,
      buffer: { stdout: run.collect, stderr: false },
      stdout: [lines("stdout")],
      stderr: [lines("stderr")],
    },
  );
  const killGroup = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  run.signal?.addEventListener("abort", killGroup, { once: true });
  if (run.signal?.aborted) killGroup();
  const result = await child.finally(() => run.signal?.removeEventListener("abort", killGroup));
  if (run.signal?.aborted) {
    throw new DeployKitError("E_ABORTED", `${run.step} was aborted.`, {
      hint: "Nothing was packed; run the build again when ready.",
    });
  }
  return {
    exitCode: result.exitCode ?? -1,
    stdout: run.collect ? String(result.stdout ?? "") : "",
    tail,
  };
}
