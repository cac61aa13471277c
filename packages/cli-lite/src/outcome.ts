import type { DeployResult } from "@deploykit/core";
import type { Outcome } from "./command";

/** The outcome of deploy/rollback: exit code 1 when the new release failed and was rolled back. */
export function deployOutcome(verb: string, app: string, result: DeployResult): Outcome {
  const { release, previous, cause } = result;
  if (result.rolledBack) {
    return {
      value: result,
      exitCode: 1,
      lines: [
        `${app} ${previous?.version} failed and was rolled back: ${release.version} is live again.`,
        ...(cause
          ? [`Cause [${cause.code}]: ${cause.message}`, ...(cause.hint ? [`Hint: ${cause.hint}`] : [])]
          : []),
      ],
    };
  }
  if (result.unchanged) {
    const line = result.restart
      ? `${app} ${release.version} was already live; restarted it (${result.restart.strategy}).`
      : `${app} ${release.version} is already live (unchanged).`;
    return { value: result, lines: [line] };
  }
  const restarted = result.restart ? ` and restarted (${result.restart.strategy})` : "";
  return {
    value: result,
    lines: [
      `${verb} ${app} ${release.version}${restarted}${previous ? `; previous: ${previous.version}` : ""}.`,
    ],
  };
}
