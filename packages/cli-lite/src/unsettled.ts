/**
 * Settles `work`, or calls `onStranded` if Node's event loop empties while `work` is still
 * pending: then nothing left can ever settle it (a wait on an unref'd timer, a promise nobody
 * resolves), and without this guard the process would exit 0 having done nothing, or 13 for a
 * top-level await, printing nothing either way. `onStranded` reports and sets the exit code.
 */
export async function settleOrReport<T>(work: Promise<T>, onStranded: () => void): Promise<T> {
  let reported = false;
  const guard = () => {
    if (reported) return;
    reported = true;
    onStranded();
  };
  process.on("beforeExit", guard);
  try {
    return await work;
  } finally {
    process.off("beforeExit", guard);
  }
}
