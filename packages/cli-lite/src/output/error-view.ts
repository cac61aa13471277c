import { isDeployKitError } from "@deploykit/core";
import { UsageError } from "../usage";

/** A failure as the CLI shows it: the same fields in human and JSON output. */
export interface ErrorView {
  /** A DeployKitError code, `E_USAGE` for a bad command line, `E_INTERNAL` for a bug. */
  code: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** Turns anything thrown into an {@link ErrorView}. */
export function errorView(error: unknown): ErrorView {
  if (isDeployKitError(error)) {
    const { code, message, hint, details } = error.toJSON();
    return { code, message, ...(hint ? { hint } : {}), ...(Object.keys(details).length ? { details } : {}) };
  }
  if (error instanceof UsageError) {
    return { code: error.code, message: error.message, hint: error.hint };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: "E_INTERNAL",
    message: `Unexpected error: ${message}`,
    hint: "Run again with --debug to see the stack trace, and report it if it persists.",
  };
}

/** The stack traces of an error and its causes, for `--debug`. */
export function stackTrace(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(
      current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current),
    );
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join("\nCaused by: ");
}
