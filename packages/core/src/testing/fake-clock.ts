import type { Clock } from "../ports/clock";

/** A {@link Clock} whose time moves only when something sleeps or the test calls `advance`. */
export interface FakeClock extends Clock {
  /** Moves time forward. */
  advance(ms: number): void;
  /** Every sleep requested so far, in ms. */
  readonly sleeps: number[];
}

/**
 * Creates a {@link FakeClock} starting at `start` (ms since the epoch). `sleep` resolves at once
 * after advancing time, so polling loops with timeouts run in microseconds.
 */
export function createFakeClock(start = 0): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance(ms) {
      now += ms;
    },
    async sleep(ms, signal) {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
    },
  };
}
