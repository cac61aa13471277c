import type { Clock } from "@deploykit/core";

/** A {@link Clock} on simulated time: see {@link createSimulatedClock}. */
export interface SimulatedClock extends Clock {
  /** Sleeps not yet woken. */
  readonly pending: number;
}

interface Timer {
  at: number;
  seq: number;
  wake: () => void;
  cancelled: boolean;
}

const before = (a: Timer, b: Timer) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/**
 * A discrete-event {@link Clock}: `sleep(ms)` wakes when simulated time reaches now + ms, and
 * time jumps straight to the earliest pending wake-up once everything runnable has run (after
 * the microtask queue drains, on `setImmediate`). Unlike core's fake clock, concurrent sleeps
 * overlap as on a real clock: 25 hosts each sleeping 1000 ms in parallel take 1000 ms of
 * simulated time, not 25000. Only for code whose every wait goes through this clock (no real
 * I/O in between), such as a rollout over `createFleetDouble()`. Times in ms.
 */
export function createSimulatedClock(start = 0): SimulatedClock {
  let now = start;
  let seq = 0;
  let scheduled = false;
  const heap: Timer[] = [];
  const push = (t: Timer) => {
    heap.push(t);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Timer, heap[parent] as Timer)) break;
      [heap[i], heap[parent]] = [heap[parent] as Timer, heap[i] as Timer];
      i = parent;
    }
  };
  const pop = (): Timer => {
    const top = heap[0] as Timer;
    const last = heap.pop() as Timer;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l] as Timer, heap[m] as Timer)) m = l;
        if (r < heap.length && before(heap[r] as Timer, heap[m] as Timer)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m] as Timer, heap[i] as Timer];
        i = m;
      }
    }
    return top;
  };
  const tick = () => {
    scheduled = false;
    while (heap.length > 0 && (heap[0] as Timer).cancelled) pop();
    if (heap.length === 0) return;
    const at = (heap[0] as Timer).at;
    now = Math.max(now, at);
    while (heap.length > 0 && (heap[0] as Timer).at === at) {
      const timer = pop();
      if (!timer.cancelled) timer.wake();
    }
    schedule();
  };
  const schedule = () => {
    if (!scheduled && heap.length > 0) {
      scheduled = true;
      setImmediate(tick);
    }
  };
  return {
    now: () => now,
    get pending() {
      return heap.filter((t) => !t.cancelled).length;
    },
    sleep(ms, signal) {
      signal?.throwIfAborted();
      return new Promise<void>((resolve, reject) => {
        const timer: Timer = { at: now + Math.max(0, ms), seq: seq++, wake: resolve, cancelled: false };
        signal?.addEventListener(
          "abort",
          () => {
            timer.cancelled = true;
            reject(signal.reason);
          },
          { once: true },
        );
        push(timer);
        schedule();
      });
    },
  };
}
