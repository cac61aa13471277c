import { DeployKitError } from "@deploykit/core";

/**
 * Builds the `E_RESTART_FAILED` error a strategy throws: what it was doing, what it saw, and
 * where to look next.
 */
export function restartFailed(
  strategy: string,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): DeployKitError {
  return new DeployKitError("E_RESTART_FAILED", `${strategy}: ${message}`, {
    hint: "Read the app's log under shared/log; the previous release keeps serving where the runtime allows it.",
    details: { strategy, ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}
