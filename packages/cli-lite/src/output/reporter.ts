import type { DeployEvent } from "@deploykit/core";
import type { FleetEvent } from "@deploykit/fleet";

/** How a command's events, result and failure reach the user: human lines or JSON lines. */
export interface Reporter {
  /** Renders one SDK event (a fleet's events carry the host name). */
  onEvent(event: DeployEvent | FleetEvent): void;
  /**
   * Renders the command's result: `value` is the SDK call's return value (for `--json`),
   * `lines` its human summary.
   */
  result(command: string, value: unknown, lines: string[]): void;
  /** Renders a failure (after which the CLI exits non-zero). */
  error(error: unknown): void;
  /** Stops anything still drawing (progress bars). */
  close(): void;
}
