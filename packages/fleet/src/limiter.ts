/** A counting semaphore: at most `limit` holders at once, the rest wait in order. */
export interface Limiter {
  /** Runs `work` once a slot is free. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** A {@link Limiter} of `limit` slots (`Infinity`: no limit). A freed slot passes straight to the next waiter. */
export function createLimiter(limit: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async run(work) {
      if (active < limit) active++;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await work();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
  };
}
