import { DeployKitError } from "../errors";
import type { ProcessRunner, RunResult } from "../ports/process-runner";

/** One call a {@link RecordingRunner} saw. */
export interface RecordedCall {
  kind: "run" | "spawn";
  command: string;
  args: string[];
  cwd?: string;
}

/** A {@link ProcessRunner} that records calls and answers from a script instead of running anything. */
export interface RecordingRunner extends ProcessRunner {
  readonly calls: RecordedCall[];
  /** Decides each `run` result; return a non-zero exitCode to make the call fail. Default: exit 0. */
  respond: (call: RecordedCall) => Partial<RunResult>;
  /** Pid handed out by the next `spawnDetached`. */
  nextPid: number;
}

/** Creates a {@link RecordingRunner}. */
export function createRecordingRunner(): RecordingRunner {
  const runner: RecordingRunner = {
    calls: [],
    nextPid: 10_000,
    respond: () => ({}),
    async run(command, args, options = {}) {
      const call: RecordedCall = {
        kind: "run",
        command,
        args: [...args],
        ...(options.cwd ? { cwd: options.cwd } : {}),
      };
      runner.calls.push(call);
      const result = { exitCode: 0, stdout: "", stderr: "", ...runner.respond(call) };
      if (result.exitCode !== 0) {
        throw new DeployKitError(
          "E_COMMAND_FAILED",
          `${[command, ...args].join(" ")} exited with ${result.exitCode}.`,
          {
            details: { command, args, ...result },
          },
        );
      }
      return result;
    },
    async spawnDetached(command, args, options) {
      runner.calls.push({ kind: "spawn", command, args: [...args], cwd: options.cwd });
      return { pid: runner.nextPid++ };
    },
  };
  return runner;
}
