import { DeployKitError } from "../errors";

/** `E_CHECKSUM_MISMATCH` for bytes that reached a host different from what was sent. */
export const checksumMismatch = (path: string, expected: string, actual: string) =>
  new DeployKitError(
    "E_CHECKSUM_MISMATCH",
    `The bytes written to ${path} hash to ${actual}, not ${expected}.`,
    {
      hint: "Nothing was left at that path; run the command again (the transfer was damaged or cut).",
      details: { path, expected, actual },
    },
  );

/** `E_HOST_UNREACHABLE`: ssh could not reach or keep the connection to a host (its exit 255). */
export const hostUnreachable = (host: string, stderr: string) =>
  new DeployKitError(
    "E_HOST_UNREACHABLE",
    `Cannot reach ${host} over SSH: ${stderr.trim() || "connection failed"}.`,
    {
      hint: "Check that `ssh` to that host works from this machine with the same user, key and ssh_config (BatchMode: no password prompts).",
      details: { host, stderr: stderr.trim() },
    },
  );

/** `E_COMMAND_FAILED` for a catalogue command that failed on a host. */
export const remoteFailed = (host: string, command: string, exitCode: number, stderr: string) =>
  new DeployKitError(
    "E_COMMAND_FAILED",
    `${command} failed on ${host} (exit ${exitCode}): ${stderr.trim()}`,
    {
      hint: "Read the message above; the host's filesystem or permissions refused the operation.",
      details: { host, command, exitCode, stderr: stderr.trim() },
    },
  );
