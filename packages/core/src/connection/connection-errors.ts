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

/** A catalogue command that failed on a host: `E_PERMISSION`, `E_DISK_FULL` or `E_READ_ONLY` when the tools said so (as locally), `E_TOOL_MISSING` when the shell found no sudo, else `E_COMMAND_FAILED`. */
export const remoteFailed = (host: string, command: string, exitCode: number, stderr: string) => {
  const said = stderr.trim();
  const details = { host, command, exitCode, stderr: said };
  // The same codes as a local failure, read from the tools' own words (coreutils, tar, sh).
  if (/Permission denied|Operation not permitted/.test(said))
    return new DeployKitError("E_PERMISSION", `${command} on ${host} was refused: ${said}`, {
      hint: "The SSH user may not write there: fix the directory's owner, choose a root it owns, or use sudo (sshHost({ sudo: true }), CLI --sudo / --sudo-user).",
      details,
    });
  if (/No space left on device|Disk quota exceeded/.test(said))
    return new DeployKitError("E_DISK_FULL", `${command} on ${host} ran out of disk: ${said}`, {
      hint: "Free space on the server (deploykit prune, old logs), then run it again.",
      details,
    });
  // `--sudo` on a server without sudo: the shell's "sudo: command not found" (bash) or "sudo: not found" (dash), exit 127.
  if (exitCode === 127 && /\bsudo: (command )?not found/.test(said))
    return new DeployKitError("E_TOOL_MISSING", `sudo is not installed on ${host} (${command}: ${said})`, {
      hint: "Install sudo on the server (apt-get install sudo) and allow the SSH user password-less sudo, or drop --sudo / sudo: true and deploy as a user that owns the root.",
      details,
    });
  if (/Read-only file system/.test(said))
    return new DeployKitError("E_READ_ONLY", `${command} on ${host} hit a read-only file system: ${said}`, {
      hint: "Remount the server's file system read-write (or choose a root on a writable one).",
      details,
    });
  return new DeployKitError("E_COMMAND_FAILED", `${command} failed on ${host} (exit ${exitCode}): ${said}`, {
    hint: "Read the message above; the host's filesystem or permissions refused the operation.",
    details,
  });
};
