import { DeployKitError, isDeployKitError, throwIfAborted } from "./errors";
import { resolvePorts } from "./ports";
import type { ProcessRunner, RunResult } from "./ports/process-runner";
import { launchScript } from "./process-launch";
import { liveRelease } from "./releases";
import type { HostRelease } from "./strategy";

/** Options of {@link runProcess}. */
export interface RunProcessOptions {
  /** The host root whose live release the command runs in. */
  root: string;
  /**
   * A process type of the live release (`["web"]`, run as its Procfile line), or a command and
   * its arguments (`["rake", "db:migrate"]`), like pkgr's `<app> run`.
   */
  command: readonly string[];
  /** The release's environment (config vars), exported before `.profile.d` runs. */
  env?: Record<string, string>;
  /** Exported as `PORT`. */
  port?: number;
  /** Called with each output line as it arrives. */
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
  /** End the command and its children (TERM, then KILL after 5 s) after this long, in ms. */
  timeoutMs?: number;
  /** The process runner; default the real one. */
  runner?: ProcessRunner;
  signal?: AbortSignal;
}

/** What {@link runProcess} ran and what it printed. */
export interface RanProcess extends RunResult {
  /** The live release it ran in. */
  release: HostRelease;
  /** The process type when `command` named one, else undefined. */
  process?: string;
  /** The Procfile line or command that ran. */
  ran: string | readonly string[];
}

/**
 * Runs a one-off command (or a process type) in the live release with the environment every
 * process gets ({@link launchScript}: `HOME`, `.profile.d`, `PORT`, env), to completion —
 * `deploykit run`. A process type of the release's manifest runs as its Procfile line with
 * `sh -c`; anything else runs as a program and its arguments.
 *
 * @throws {@link DeployKitError} `E_NOT_FOUND` when nothing is live under `root`,
 *   `E_COMMAND_FAILED` when the command exits non-zero (with its exit code and output tail;
 *   exit 127 of a single word that is no process type names the release's process types),
 *   `E_INVALID_INPUT` for an empty command or a bad env name, `E_ABORTED`.
 */
export async function runProcess(options: RunProcessOptions): Promise<RanProcess> {
  throwIfAborted(options.signal);
  const { release } = await liveRelease(options.root);
  const [first, ...rest] = options.command;
  const line = first !== undefined && rest.length === 0 ? release.manifest.processes[first] : undefined;
  const ran = line ?? options.command;
  const script = launchScript({
    dir: release.dir,
    command: ran,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.env ? { env: options.env } : {}),
  });
  const runner = options.runner ?? resolvePorts().runner;
  const result = await runner
    .run("sh", ["-c", script], {
      cwd: release.dir,
      // Ctrl-C or a timeout ends the command with its children, as in a terminal.
      group: true,
      ...(options.onLine ? { onLine: options.onLine } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal ? { signal: options.signal } : {}),
    })
    .catch((error: unknown) => {
      throw line === undefined && rest.length === 0 ? notFound(error, release, String(first)) : error;
    });
  return { ...result, release, ...(line === undefined ? {} : { process: first }), ran };
}

/** `sh` exits 127 for a command it cannot find: say it is no process type of the release either. */
function notFound(error: unknown, release: HostRelease, word: string): unknown {
  if (!isDeployKitError(error, "E_COMMAND_FAILED") || error.details.exitCode !== 127) return error;
  const types = Object.keys(release.manifest.processes);
  return new DeployKitError(
    "E_COMMAND_FAILED",
    `"${word}" is not a process type of ${release.manifest.app} ${release.version}, nor a command found in it.`,
    {
      cause: error,
      hint:
        types.length > 0
          ? `Its process types: ${types.join(", ")}.`
          : "Its Procfile declares no process types.",
      details: { ...error.details, processTypes: types },
    },
  );
}
