import { constants } from "node:os";
import { DeployKitError, didYouMean } from "@deploykit/core";

/**
 * Checks an option whose values form a closed set (an action, a mode, a signal) when the
 * strategy is built, so a typo (`action: "restrat"`, `signal: "HUPP"`) is `E_INVALID_INPUT`
 * naming the values before anything is switched or signalled. `undefined` (the default) passes.
 *
 * @param spelled - another spelling of the value to look for a close match with (`HUP` → `SIGHUP`).
 * @throws `DeployKitError` `E_INVALID_INPUT`, its hint listing `allowed`.
 */
export function assertChoice(
  strategy: string,
  option: string,
  value: unknown,
  allowed: readonly string[],
  spelled: (value: string) => string = (value) => value,
): void {
  if (value === undefined || (typeof value === "string" && allowed.includes(value))) return;
  const written = typeof value === "string" ? value : JSON.stringify(value);
  throw new DeployKitError(
    "E_INVALID_INPUT",
    `${strategy}(): ${option} cannot be ${JSON.stringify(written)}.`,
    {
      hint: `${didYouMean(spelled(written), allowed)}Use one of: ${allowed.join(", ")}.`,
      details: { strategy, option, value: written, allowed },
    },
  );
}

/** The signal names this platform knows (`SIGHUP`, `SIGUSR1`...), as `kill -l` lists them with the SIG prefix. */
export const SIGNAL_NAMES: readonly string[] = Object.keys(constants.signals);
