import type { DeployEvent, ProgressEvent } from "@deploykit/core";

/** At most this many progress events per second per transfer reach `--json` output. */
export const PROGRESS_PER_SECOND = 4;

/**
 * Passes events through, thinning `progress` events to at most {@link PROGRESS_PER_SECOND}
 * per transfer (a transfer is a step, per host when events carry one). The first and the
 * complete (`bytes === total`) event always pass; a held-back event is released just before its
 * step's `step:finish`, so the last byte count is never lost.
 */
export function progressThrottle(
  emit: (event: DeployEvent) => void,
  now: () => number = () => performance.now(),
): (event: DeployEvent) => void {
  const interval = 1000 / PROGRESS_PER_SECOND;
  const last = new Map<string, number>();
  const held = new Map<string, ProgressEvent>();
  const keyOf = (event: DeployEvent) => {
    const host = (event as { host?: unknown }).host;
    return typeof host === "string" ? `${host}\0${event.step}` : event.step;
  };
  return (event) => {
    const key = keyOf(event);
    if (event.type !== "progress") {
      const pending = held.get(key);
      if (event.type === "step:finish" && pending) emit(pending);
      if (event.type === "step:finish") {
        held.delete(key);
        last.delete(key);
      }
      emit(event);
      return;
    }
    const at = now();
    const previous = last.get(key);
    const complete = event.total !== undefined && event.bytes >= event.total;
    if (previous === undefined || complete || at - previous >= interval) {
      last.set(key, at);
      held.delete(key);
      emit(event);
    } else {
      held.set(key, event);
    }
  };
}
