import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import { execa } from "execa";
import { DeployKitError } from "../errors";
import { stopGroupOn } from "./group-stop";

/** Options for {@link ProcessRunner.run}. */
export interface RunOptions {
  cwd?: string;
  /** The complete environment of the child (nothing is inherited when `extendEnv` is false). */
  env?: Record<string, string | undefined>;
  /** Inherit the parent's environment under `env` (default true). */
  extendEnv?: boolean;
  /** Data written to the child's stdin. */
  input?: string;
  /** Called with each output line as it arrives. */
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
  /** Kill the child (TERM, then KILL) after this long, in ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Start the child as the leader of its own process group, and on `signal` or `timeoutMs` end
   * the whole group (TERM, then KILL after 5 s), waiting until none of it is left — so the
   * command's own children (a Procfile line run by `sh -c`) do not outlive it. Default false:
   * only the child is signalled.
   */
  group?: boolean;
}

/** What a finished child process left behind. */
export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link ProcessRunner.spawnDetached}. */
export interface SpawnOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** File that receives stdout and stderr (appended). */
  logFile: string;
}

/** How a detached process ended. */
export interface ProcessExit {
  /** The exit code; null when a signal ended it. */
  exitCode: number | null;
  /** The signal that ended it, e.g. `SIGKILL`; null after a normal exit. */
  signal: string | null;
}

/** A process {@link ProcessRunner.spawnDetached} started. */
export interface SpawnedProcess {
  pid: number;
  /** Settles when the process ends, where the runner can see that (a local child); else absent. */
  exited?: Promise<ProcessExit>;
}

/**
 * Runs child processes. The real one uses execa; `@deploykit/core/testing` has a recording
 * double. A non-zero exit is `E_COMMAND_FAILED` carrying the command, exit code and output tail.
 */
export interface ProcessRunner {
  /** Runs a command to completion (no shell: pass the program and its arguments). */
  run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Starts a long-lived process in its own session, detached from ours, and returns its pid. */
  spawnDetached(command: string, args: readonly string[], options: SpawnOptions): Promise<SpawnedProcess>;
}

/** Ms from TERM to KILL when a child is stopped. */
const KILL_AFTER_MS = 5_000;

const tail = (text: string, lines = 20) => text.split("\n").slice(-lines).join("\n");

/** `E_COMMAND_FAILED` for a command that ran and failed (`why`: "exited with 3"), quoting its output's tail. */
export function commandFailed(
  command: string,
  args: readonly string[],
  why: string,
  output: RunResult,
  cause?: unknown,
): DeployKitError {
  return new DeployKitError(
    "E_COMMAND_FAILED",
    `${[command, ...args].join(" ")} ${why}.\n${tail(output.stderr || output.stdout)}`,
    {
      cause,
      hint: "Read the command's output above; run it by hand in the same directory to reproduce.",
      details: { command, args, ...output },
    },
  );
}

/** The production {@link ProcessRunner}, built on execa. */
export function createExecaRunner(): ProcessRunner {
  return {
    async run(command, args, options = {}) {
      const lines = (stream: "stdout" | "stderr") =>
        function* (line: unknown) {
          options.onLine?.(stream, String(line));
          yield line;
        };
      const group = options.group === true;
      const child = execa(command, args, {
        cwd: options.cwd,
        env: options.env,
        extendEnv: options.extendEnv ?? true,
        input: options.input,
        timeout: group ? undefined : options.timeoutMs,
        cancelSignal: group ? undefined : options.signal,
        detached: group,
        forceKillAfterDelay: KILL_AFTER_MS,
        reject: false,
        stdout: options.onLine ? [lines("stdout")] : "pipe",
        stderr: options.onLine ? [lines("stderr")] : "pipe",
      });
      const watch =
        group && child.pid !== undefined
          ? stopGroupOn(child.pid, {
              signal: options.signal,
              timeoutMs: options.timeoutMs,
              graceMs: KILL_AFTER_MS,
            })
          : undefined;
      const result = await child;
      await watch?.finish();
      if (result.isCanceled || watch?.reason === "aborted") {
        throw new DeployKitError("E_ABORTED", `${command} was aborted.`, { cause: options.signal?.reason });
      }
      const output = {
        exitCode: result.exitCode ?? -1,
        stdout: String(result.stdout),
        stderr: String(result.stderr),
      };
      if (result.failed) {
        const why =
          result.timedOut || watch?.reason === "timedOut"
            ? `timed out after ${options.timeoutMs} ms`
            : `exited with ${result.exitCode ?? result.signal}`;
        throw commandFailed(command, args, why, output, result);
      }
      return output;
    },

    async spawnDetached(command, args, options) {
      // The child writes to the log file's own descriptor. (An execa `{ file }` target is pumped
      // through this process, so the app would die of EPIPE once a deploying CLI exits, and the
      // CLI could not exit while the app runs.)
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries({ ...process.env, ...options.env })) {
        if (value !== undefined) env[key] = value;
      }
      const log = await open(options.logFile, "a");
      const child = (() => {
        try {
          return spawn(command, [...args], {
            cwd: options.cwd,
            env,
            detached: true,
            stdio: ["ignore", log.fd, log.fd],
          });
        } finally {
          void log.close();
        }
      })();
      const pid = await new Promise<number>((resolve, reject) => {
        child.once("spawn", () => resolve(child.pid as number));
        child.once("error", (error) =>
          reject(
            new DeployKitError("E_COMMAND_FAILED", `Could not start ${command}: ${error.message}`, {
              cause: error,
              hint: "Check that the program exists and is executable.",
              details: { command, args },
            }),
          ),
        );
      });
      const exited = new Promise<ProcessExit>((resolve) =>
        child.once("exit", (exitCode, signal) => resolve({ exitCode, signal })),
      );
      child.unref();
      return { pid, exited };
    },
  };
}
