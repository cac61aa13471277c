import { constants } from "node:fs";
import { access, lstat, rmdir } from "node:fs/promises";
import { dirname } from "node:path";
import { DeployKitError, type ErrorCode, isDeployKitError, makeDirectories } from "@deploykit/core";

/** What the environment refused while writing the artifact, as the codes `install` uses. */
const REFUSED: Record<string, { code: ErrorCode; what: string }> = {
  EACCES: { code: "E_PERMISSION", what: "Permission denied" },
  EPERM: { code: "E_PERMISSION", what: "Operation not permitted" },
  EROFS: { code: "E_READ_ONLY", what: "The file system is read-only" },
  ENOSPC: { code: "E_DISK_FULL", what: "The disk is full" },
  EDQUOT: { code: "E_DISK_FULL", what: "The disk quota is exhausted" },
};

/**
 * Creates the build's out dir (one level at a time, with core's `makeDirectories`: Node's
 * recursive mkdir spins forever under /proc) and checks this user may write it, before anything
 * is built. Resolves to a function that removes the directories it created, for a build that
 * then fails (a refused version leaves nothing behind).
 * @throws `E_NOT_A_DIRECTORY` (a file in the way), `E_PERMISSION`, `E_READ_ONLY`.
 */
export async function prepareOutDir(outDir: string): Promise<() => Promise<void>> {
  const missing: string[] = [];
  for (let dir = outDir; !(await exists(dir)) && dirname(dir) !== dir; dir = dirname(dir)) missing.push(dir);
  const undo = async () => {
    for (const dir of missing) await rmdir(dir).catch(() => undefined);
  };
  try {
    await makeDirectories(outDir, "the out dir");
    await access(outDir, constants.W_OK);
  } catch (error) {
    await undo();
    throw buildFailure(error, outDir);
  }
  return undo;
}

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/**
 * A build's failure as the CLI reports it: interrupted (the signal fired) is `E_ABORTED`; what
 * the file system refused is `E_PERMISSION`, `E_READ_ONLY` or `E_DISK_FULL` naming the path;
 * anything else (a deploykit error, a bug) as it is.
 */
export function buildFailure(error: unknown, outDir: string, signal?: AbortSignal): unknown {
  if (isDeployKitError(error)) return error;
  if (signal?.aborted) {
    return new DeployKitError("E_ABORTED", "The build was interrupted.", {
      cause: error,
      hint: "Run it again to build the artifact.",
    });
  }
  const errno = error as NodeJS.ErrnoException;
  const refused = typeof errno?.code === "string" ? REFUSED[errno.code] : undefined;
  if (!refused) return error;
  const path = errno.path ?? outDir;
  return new DeployKitError(
    refused.code,
    `${refused.what} while writing the artifact: ${path} (${errno.code}).`,
    {
      cause: error,
      hint: `Pick an --out-dir this user may write (config: outDir), or fix the permissions of ${path}.`,
      details: { errno: errno.code, path },
    },
  );
}
