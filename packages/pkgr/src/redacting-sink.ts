import type { DeployEvent, EventSink } from "@deploykit/core";
import type { Redactor } from "./buildpack/redact";

/** Wraps an event sink so no text in any event can carry a build secret. */
export function redactingSink(onEvent: EventSink | undefined, redact: Redactor): EventSink | undefined {
  if (!onEvent) return undefined;
  return (event: DeployEvent) => {
    switch (event.type) {
      case "log":
        return onEvent({ ...event, line: redact(event.line) });
      case "step:start":
      case "step:finish":
      case "warning":
        return onEvent({ ...event, message: redact(event.message) });
      default:
        return onEvent(event);
    }
  };
}
