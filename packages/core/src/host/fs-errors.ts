import { DeployKitError, type ErrorCode, isDeployKitError } from "../errors";

const KINDS: Record<string, { code: ErrorCode; what: string; hint: string }> = {
  ENOSPC: {
    code: "E_DISK_FULL",
    what: "The disk is full",
    hint: "Free space on the host (older releases: lower keep; the cache under .deploykit/cache), then run it again. Nothing was switched.",
  },
  EDQUOT: {
    code: "E_DISK_FULL",
    what: "The disk quota is exhausted",
    hint: "Free space within the user's quota or raise it, then run it again. Nothing was switched.",
  },
  EACCES: {
    code: "E_PERMISSION",
    what: "Permission denied",
    hint: "Run deploykit as the user that owns the host root (or fix the ownership of the path named), then run it again.",
  },
  EPERM: {
    code: "E_PERMISSION",
    what: "Operation not permitted",
    hint: "Run deploykit as the user that owns the host root; check for immutable files (lsattr) under it.",
  },
  EROFS: {
    code: "E_READ_ONLY",
    what: "The file system is read-only",
    hint: "Remount the host root read-write (or pick a root on a writable file system), then run it again.",
  },
};

/** The errno-style code of `error` or of an error in its `cause` chain that says what the environment refused. */
function environmentCause(error: unknown): NodeJS.ErrnoException | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code in KINDS) return e as NodeJS.ErrnoException;
  }
  return undefined;
}

/**
 * Turns a failure the host's environment caused (disk full, quota, permission, read-only file
 * system) into a typed {@link DeployKitError}: `E_DISK_FULL` (ENOSPC, EDQUOT), `E_PERMISSION`
 * (EACCES, EPERM), `E_READ_ONLY` (EROFS). Raw errors and an unpack failure caused by one of these
 * are mapped; any other error (and any other deploykit error) is returned as is. `hints`
 * replaces the host-root hint of a code where the path is something else (the filesystem store).
 */
export function asHostError(
  error: unknown,
  doing: string,
  hints: Partial<Record<ErrorCode, string>> = {},
): unknown {
  if (isDeployKitError(error) && error.code !== "E_UNSAFE_ARCHIVE") return error;
  const cause = environmentCause(error);
  const kind = cause?.code ? KINDS[cause.code] : undefined;
  if (!cause || !kind) return error;
  return new DeployKitError(
    kind.code,
    `${kind.what} while ${doing}${cause.path ? `: ${cause.path}` : ""} (${cause.code}).`,
    {
      cause: error,
      hint: hints[kind.code] ?? kind.hint,
      details: {
        errno: cause.code,
        ...(cause.path ? { path: cause.path } : {}),
        ...(cause.syscall ? { syscall: cause.syscall } : {}),
      },
    },
  );
}
