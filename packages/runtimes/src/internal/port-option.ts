import { DeployKitError } from "@deploykit/core";

/** Refuses a `port` option that is not a TCP port (a whole number from 1 to 65535), up front. */
export function assertPortOption(strategy: string, port: number | undefined): void {
  if (port === undefined || (Number.isInteger(port) && port >= 1 && port <= 65_535)) return;
  throw new DeployKitError("E_INVALID_INPUT", `${strategy}(): port must be a TCP port, not ${port}.`, {
    hint: "A whole number from 1 to 65535, e.g. --port 3000.",
    details: { strategy, port },
  });
}
