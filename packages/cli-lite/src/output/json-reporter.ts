import type { DeployEvent } from "@deploykit/core";
import type { CliIo } from "../io";
import { errorView, stackTrace } from "./error-view";
import type { Reporter } from "./reporter";

/**
 * `--json`: one JSON object per line on stdout — every event as the SDK emitted it, then
 * `{"type":"result","command",...,"result":...}` or `{"type":"error","code",...}`.
 */
export function jsonReporter(io: CliIo, options: { debug: boolean }): Reporter {
  const line = (value: unknown) => io.stdout.write(`${JSON.stringify(value)}\n`);
  return {
    onEvent: (event: DeployEvent) => line(event),
    result: (command, value) => line({ type: "result", command, result: value ?? null }),
    error: (error) =>
      line({ type: "error", ...errorView(error), ...(options.debug ? { stack: stackTrace(error) } : {}) }),
    close: () => {},
  };
}
