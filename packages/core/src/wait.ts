import { throwIfAborted } from "./errors";
import type { Clock } from "./ports/clock";

/** How {@link waitUntil} polls. */
export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Time between two checks (default 100 ms). */
  intervalMs?: number;
  signal?: AbortSignal | undefined;
}

/**
 * Polls `check` on the injected clock until it returns a value other than `undefined`/`false`,
 * or the timeout passes (then resolves `undefined`). An abort rejects with `E_ABORTED`.
 * Readiness is always observed this way, never slept.
 */
export async function waitUntil<T>(
  clock: Clock,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T | undefined> {
  const deadline = clock.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  for (;;) {
    throwIfAborted(options.signal);
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (clock.now() >= deadline) return undefined;
    try {
      await clock.sleep(Math.min(interval, Math.max(1, deadline - clock.now())), options.signal);
    } catch (error) {
      throwIfAborted(options.signal);
      throw error;
    }
  }
}
