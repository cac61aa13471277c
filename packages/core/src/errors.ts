/**
 * Every failure deploykit reports has one of these stable codes. Scripts branch on the code;
 * people read the message and the hint.
 */
export type ErrorCode =
  | "E_INVALID_INPUT"
  | "E_INVALID_NAME"
  | "E_INVALID_VERSION"
  | "E_MANIFEST_INVALID"
  | "E_NOT_FOUND"
  | "E_VERSION_EXISTS"
  | "E_OBJECT_EXISTS"
  | "E_CHECKSUM_MISMATCH"
  | "E_SIGNATURE"
  | "E_UNSAFE_ARCHIVE"
  | "E_LOCKED"
  | "E_ABORTED"
  | "E_HEALTHCHECK"
  | "E_RESTART_FAILED"
  | "E_PORT_IN_USE"
  | "E_DAEMONIZED"
  | "E_NO_PREVIOUS_RELEASE"
  | "E_UNSUPPORTED_FORMAT"
  | "E_STORE_NOT_FOUND"
  | "E_STORE_AUTH"
  | "E_STORE_UNAVAILABLE"
  | "E_BUILDPACK_DETECT"
  | "E_BUILDPACK_COMPILE"
  | "E_BUILDPACK_FETCH"
  | "E_DPKG"
  | "E_COMMAND_FAILED"
  | "E_VENDOR_INVALID"
  | "E_TOOL_MISSING"
  | "E_STATE_CORRUPT"
  | "E_CHANNEL_CORRUPT"
  | "E_HOST_STATE"
  | "E_DISK_FULL"
  | "E_PERMISSION"
  | "E_READ_ONLY"
  | "E_HOST_UNREACHABLE"
  | "E_NOT_A_DIRECTORY"
  | "E_DEPENDENCY_MISSING";

/** What a {@link DeployKitError} is made from. */
export interface DeployKitErrorOptions {
  /** What to do about it, in one sentence a person can act on. */
  hint?: string;
  /** The underlying error, kept for `--debug` and for scripts. */
  cause?: unknown;
  /** Structured facts about the failure (paths, versions, pids), for `--json` output. */
  details?: Record<string, unknown>;
}

/**
 * The one error class deploykit throws on purpose. `code` is stable across versions,
 * `message` says what happened, `hint` says what to do.
 *
 * @example
 * ```ts
 * try { await install(opts) } catch (e) {
 *   if (isDeployKitError(e, "E_LOCKED")) console.error(e.hint)
 * }
 * ```
 */
/**
 * The brand every {@link DeployKitError} carries, from the global symbol registry: the ESM and
 * the CJS build of this package (or two installed copies) each define their own class, so
 * `instanceof` fails across them, but `Symbol.for` returns the same symbol everywhere.
 */
const BRAND: unique symbol = Symbol.for("deploykit.error") as never;

export class DeployKitError extends Error {
  /** Marks deploykit's errors across module copies; see {@link isDeployKitError}. */
  readonly [BRAND] = true;
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** What to do about it. */
  readonly hint: string | undefined;
  /** Structured facts about the failure. */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: DeployKitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DeployKitError";
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** A plain object for JSON output: code, message, hint, details. */
  toJSON(): { code: ErrorCode; message: string; hint?: string; details: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      details: this.details,
    };
  }
}

/**
 * True when `error` is a {@link DeployKitError}, optionally with the given code. Checks the
 * `Symbol.for("deploykit.error")` brand, not `instanceof`, so an error thrown by the CJS build
 * (or another copy of the package) is recognised by the ESM build and vice versa.
 */
export function isDeployKitError(error: unknown, code?: ErrorCode): error is DeployKitError {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { [BRAND]?: unknown })[BRAND] === true &&
    (code === undefined || (error as { code?: unknown }).code === code)
  );
}

/** Throws `E_ABORTED` when the signal has fired; call it between steps of a long operation. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new DeployKitError("E_ABORTED", "The operation was aborted.", {
      cause: signal.reason,
      hint: "Nothing was switched; run the command again when ready.",
    });
  }
}
