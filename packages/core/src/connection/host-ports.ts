import { constants } from "node:os";
import { DeployKitError, throwIfAborted } from "../errors";
import { createSystemClock } from "../ports/clock";
import { createHttpProbe } from "../ports/http-probe";
import type { Ports } from "../ports/index";
import { commandFailed, createExecaRunner, type ProcessRunner } from "../ports/process-runner";
import { createProcessTable, type ProcessTable } from "../ports/process-table";
import type { HostConnection } from "./connection";
import { REMOTE_COMMANDS } from "./remote-commands";

/** `NAME=value` words for `env` (undefined values left out). */
const envWords = (env: Record<string, string | undefined> | undefined) =>
  Object.entries(env ?? {}).flatMap(([name, value]) => (value === undefined ? [] : [`${name}=${value}`]));

/** The signal's name as `kill -s` takes it (`TERM`), from `SIGTERM` or a number. */
function signalName(signal: NodeJS.Signals | number): string {
  if (signal === 0) return "0";
  if (typeof signal === "string") return signal.replace(/^SIG/, "");
  const name = Object.entries(constants.signals).find(([, number]) => number === signal)?.[0];
  if (!name) throw new DeployKitError("E_INVALID_INPUT", `${signal} is not a signal number.`);
  return name.replace(/^SIG/, "");
}

/**
 * A {@link ProcessRunner} whose commands run on `host` (one round trip each): `run` in
 * `options.cwd` with `options.env` added to the login environment (the control machine's own
 * environment is never sent), killed after `timeoutMs` by the server's `timeout`; output lines
 * are reported once the command ended. `spawnDetached` starts the program in its own session with
 * `setsid`, its output appended to `logFile`; its `exited` is unknown (absent).
 */
export function hostRunner(host: HostConnection): ProcessRunner {
  return {
    async run(command, args, options = {}) {
      throwIfAborted(options.signal);
      const timeout =
        options.timeoutMs === undefined
          ? []
          : ["timeout", "-k", "5", String(Math.max(1, Math.ceil(options.timeoutMs / 1000)))];
      const result = await host.exec(REMOTE_COMMANDS.run, {
        args: [options.cwd ?? ".", ...envWords(options.env), ...timeout, command, ...args],
        ...(options.input === undefined ? {} : { input: options.input }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const output = { exitCode: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr };
      for (const [stream, text] of [
        ["stdout", output.stdout],
        ["stderr", output.stderr],
      ] as const) {
        for (const line of text.split("\n").filter(Boolean)) options.onLine?.(stream, line);
      }
      if (result.exitCode === 0) return output;
      const why =
        result.exitCode === 97
          ? `could not run in ${options.cwd} on ${host.name}`
          : timeout.length > 0 && (result.exitCode === 124 || result.exitCode === 137)
            ? `timed out after ${options.timeoutMs} ms on ${host.name}`
            : `exited with ${result.exitCode} on ${host.name}`;
      throw commandFailed(command, args, why, output);
    },
    async spawnDetached(command, args, options) {
      const result = await host.exec(REMOTE_COMMANDS.spawnDetached, {
        args: [options.cwd, options.logFile, ...envWords(options.env), command, ...args],
      });
      const pid = Number.parseInt(result.stdout.toString(), 10);
      if (result.exitCode !== 0 || !(pid > 0)) {
        throw new DeployKitError(
          "E_COMMAND_FAILED",
          `Could not start ${command} on ${host.name}: ${result.stderr.trim() || `exit ${result.exitCode}`}`,
          {
            hint: `Check that ${options.cwd} exists on ${host.name} and the program is on the login PATH.`,
            details: { host: host.name, command, args, exitCode: result.exitCode },
          },
        );
      }
      return { pid };
    },
  };
}

/**
 * A {@link ProcessTable} of the processes on `host`: `kill` and liveness (`kill -s 0`) run there,
 * pid files are read there. One round trip per call.
 */
export function hostProcessTable(host: HostConnection): ProcessTable {
  const send = async (pid: number, signal: NodeJS.Signals | number) =>
    (await host.exec(REMOTE_COMMANDS.signal, { args: [signalName(signal), String(pid)] })).exitCode === 0;
  return {
    isAlive: (pid) => send(pid, 0),
    kill: send,
    async readPidFile(path) {
      const text = (await host.readFile(path))?.toString() ?? "";
      const pid = Number.parseInt(text.trim(), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    },
  };
}

/**
 * The ports that act on `host` (the clock stays this machine's): for the local host the real
 * local runner, process table and HTTP probe; for a remote one {@link hostRunner},
 * {@link hostProcessTable} and an HTTP probe that reaches URLs from the server's side, through
 * {@link HostConnection.connect} (an `ssh -W` channel: `http://127.0.0.1:3000/health` is the
 * server's loopback, and the server needs neither curl nor wget).
 */
export function hostPorts(host: HostConnection): Omit<Ports, "clock"> {
  if (host.kind === "local") {
    return { runner: createExecaRunner(), processes: createProcessTable(), probe: createHttpProbe() };
  }
  return {
    runner: hostRunner(host),
    processes: hostProcessTable(host),
    probe: createHttpProbe({ connect: (address, port) => host.connect(address, port) }),
  };
}

/**
 * Fills in every port not given with the real one acting on `host` (see {@link hostPorts}); the
 * clock is this machine's.
 */
export function resolveHostPorts(given: Partial<Ports>, host: HostConnection): Ports {
  const missing = !given.runner || !given.processes || !given.probe;
  const real = missing ? hostPorts(host) : undefined;
  return {
    runner: given.runner ?? (real as Ports).runner,
    processes: given.processes ?? (real as Ports).processes,
    clock: given.clock ?? createSystemClock(),
    probe: given.probe ?? (real as Ports).probe,
  };
}
