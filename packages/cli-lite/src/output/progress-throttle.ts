import type { DeployEvent, ProgressEvent } from "@deploykit/core";

/** At most this many progress events per second per transfer reach `--json` output. */
export const PROGRESS_PER_SECOND = 4;

/**
 * Passes events through, thinning `progress` events to at most {@link PROGRESS_PER_SECOND}
 * per transfer (a transfer is a step, per host when events carry one). The first and the
 * complete (`bytes === total`) event always pass; a held-back event is released just before its
 * step's `step:finish`, so the last byte count is never lost.
 */
export function progressThrottle<E extends { type: string } = DeployEvent>(
  emit: (event: E) => void,
  now: () => number = () => performance.now(),
): (event: E) => void {
  const interval = 1000 / PROGRESS_PER_SECOND;
  const last = new Map<string, number>();
  const held = new Map<string, ProgressEvent>();
  const keyOf = (event: E) => {
    const { host, step } = event as { host?: unknown; step?: unknown };
    return typeof host === "string" ? `${host}\0${step}` : String(step);
  };
  return (event) => {
    const key = keyOf(event);
    if (event.type !== "progress") {
      const pending = held.get(key);
      if (event.type === "step:finish" && pending) emit(pending as unknown as E);
      if (event.type === "step:finish") {
        held.delete(key);
        last.delete(key);
      }
      emit(event);
      return;
    }
    const at = now();
    const previous = last.get(key);
    const progress = event as unknown as ProgressEvent;
    const complete = progress.total !== undefined && progress.bytes >= progress.total;
    if (previous === undefined || complete || at - previous >= interval) {
      last.set(key, at);
      held.delete(key);
      emit(event);
    } else {
      held.set(key, progress);
    }
  };
}
