import { resolvePorts, waitUntil } from "@deploykit/core";

/**
 * Waits until `check` holds (returns anything but `undefined`/`false`) and returns its value;
 * throws `timed out waiting for <what>` after `timeoutMs` (default 30000 ms). The tests' one
 * poll loop: core's `waitUntil` on the real clock. It observes a condition, it is never a timing
 * assertion: a test asserts on what happened, not on how long it took.
 */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 30_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const value = await waitUntil(resolvePorts().clock, check, { timeoutMs, intervalMs });
  if (value === undefined) throw new Error(`timed out waiting for ${what}`);
  return value;
}
