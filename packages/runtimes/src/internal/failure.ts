import { DeployKitError } from "@deploykit/core";

/** Log lines quoted in a failure's message (the whole tail stays in `details.log`). */
const QUOTED_LINES = 15;

/**
 * Builds the `E_RESTART_FAILED` error a strategy throws: what it was doing, what it saw, and
 * where to look next. A `details.log` tail (what the log got since this restart began, see
 * `logTail`) is also quoted (its last lines) in the message, so the human output shows why the
 * app died, not only `--json`.
 */
export function restartFailed(
  strategy: string,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): DeployKitError {
  const log = typeof details.log === "string" ? details.log.trimEnd() : "";
  const quoted = log
    ? `\nLast lines of the log since this restart began:\n${log.split("\n").slice(-QUOTED_LINES).join("\n")}`
    : "";
  return new DeployKitError("E_RESTART_FAILED", `${strategy}: ${message}${quoted}`, {
    hint: "Read the app's log under shared/log; the previous release keeps serving where the runtime allows it.",
    details: { strategy, ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}
