import { setTimeout as delay } from "node:timers/promises";

/** Time, injectable so tests of polling loops run instantly. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms`; rejects when the signal fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The production {@link Clock}. */
export function createSystemClock(): Clock {
  return { now: () => Date.now(), sleep: (ms, signal) => delay(ms, undefined, { signal }) };
}
