/**
 * Runs one request under a signal of its own, aborted when `parent` aborts. The link (one
 * `abort` listener on `parent`) is removed as soon as `work` settles, so a long download or
 * upload sharing one signal across many requests and retries never piles up listeners.
 */
export async function withRequestSignal<T>(
  parent: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  if (!parent) return work(controller.signal);
  const onAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener("abort", onAbort, { once: true });
  try {
    return await work(controller.signal);
  } finally {
    parent.removeEventListener("abort", onAbort);
  }
}
