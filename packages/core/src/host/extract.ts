import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { DeployKitError, isDeployKitError } from "../errors";
import { asUnpackError, createArchiveGuard } from "./archive-guard";

/**
 * GNU tar, told what not to restore: owners (root would restore the archive's), permissions
 * beyond the umask, the metadata of directories that exist (the staging root), extended
 * attributes, ACLs and SELinux contexts.
 */
const TAR_ARGS = [
  "-x",
  "-f",
  "-",
  "--no-same-owner",
  "--no-same-permissions",
  "--no-overwrite-dir",
  "--no-xattrs",
  "--no-acls",
  "--no-selinux",
];

/**
 * Unpacks a `.tgz` release into `dir` (created) in one pass: the artifact is gunzipped here and
 * every entry header checked by the archive guard before the system's GNU tar (what a remote
 * host unpacks with too) gets it on stdin, so tar never sees an entry the guard refuses
 * (`E_UNSAFE_ARCHIVE`; what tar wrote of the earlier entries stays inside `dir`, which the
 * caller removes). setuid, setgid and sticky bits are cleared; owners are not restored.
 *
 * @throws `DeployKitError` `E_UNSAFE_ARCHIVE` (refused, damaged, or tar failed), `E_TOOL_MISSING`
 * (no `tar` on PATH).
 */
export async function extractRelease(file: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tar = spawn("tar", [...TAR_ARGS, "-C", dir], {
    stdio: ["pipe", "ignore", "pipe"],
    env: { ...process.env, LC_ALL: "C" },
  });
  let stderr = "";
  tar.stderr.setEncoding("utf8").on("data", (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  const exited = new Promise<number | NodeJS.Signals | Error>((resolve) => {
    tar.on("error", resolve);
    tar.on("close", (code, signal) => resolve(code ?? signal ?? "SIGKILL"));
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), createArchiveGuard(file), tar.stdin);
  } catch (cause) {
    tar.kill("SIGKILL");
    const outcome = await exited;
    if (outcome instanceof Error) throw toolMissing(outcome);
    // The guard's refusal, or tar stopped reading (its own error is the one to report).
    if (isDeployKitError(cause) || !stderr) throw asUnpackError(file, cause);
    throw asUnpackError(file, tarFailure(outcome, stderr));
  }
  const outcome = await exited;
  if (outcome instanceof Error) throw toolMissing(outcome);
  if (outcome !== 0) throw asUnpackError(file, tarFailure(outcome, stderr));
}

/** tar's messages (LC_ALL=C strerror texts) for what the host refused, by errno name. */
const REFUSALS: [string, string][] = [
  ["No space left on device", "ENOSPC"],
  ["Disk quota exceeded", "EDQUOT"],
  ["Read-only file system", "EROFS"],
  ["Permission denied", "EACCES"],
  ["Operation not permitted", "EPERM"],
];

/** tar's failure as an error carrying the errno name of a host refusal it reports (full disk...). */
function tarFailure(outcome: number | NodeJS.Signals, stderr: string): Error {
  const error: NodeJS.ErrnoException = new Error(`tar exited with ${outcome}: ${stderr.trim()}`);
  const code = REFUSALS.find(([text]) => stderr.includes(text))?.[1];
  if (code) error.code = code;
  return error;
}

function toolMissing(cause: Error): DeployKitError {
  return new DeployKitError("E_TOOL_MISSING", "Could not run tar to unpack the release.", {
    cause,
    hint: "Install GNU tar on this host (apt-get install tar).",
  });
}
