import type { DeployEvent } from "@deploykit/core";
import type { FleetEvent } from "@deploykit/fleet";
import type { CliIo } from "../io";
import { errorView, stackTrace } from "./error-view";
import { progressThrottle } from "./progress-throttle";
import type { Reporter } from "./reporter";

/**
 * `--json`: NDJSON on stdout — the SDK's events (a fleet's carry `host`) (progress thinned to at most 4 per second per
 * transfer), then exactly one last line, `{"type":"result","command",...,"result":...}` or
 * `{"type":"error","code",...}`. Events that arrive after that line (an upload still settling
 * after a failure) are dropped, so the last line is always the outcome.
 */
export function jsonReporter(io: CliIo, options: { debug: boolean }): Reporter {
  let done = false;
  const line = (value: unknown) => {
    if (!done) io.stdout.write(`${JSON.stringify(value)}\n`);
  };
  const final = (value: unknown) => {
    line(value);
    done = true;
  };
  const onEvent = progressThrottle<DeployEvent | FleetEvent>((event) => line(event));
  return {
    onEvent,
    result: (command, value) => final({ type: "result", command, result: value ?? null }),
    error: (error) =>
      final({ type: "error", ...errorView(error), ...(options.debug ? { stack: stackTrace(error) } : {}) }),
    close: () => {
      done = true;
    },
  };
}
