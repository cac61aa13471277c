import { fork } from "node:child_process";
import { once } from "node:events";

/** What a load run saw. */
export interface LoadResult {
  requests: number;
  /** Socket errors and timeouts. */
  errors: number;
  non2xx: number;
}

/** A running load generator. */
export interface Load {
  /** Stops the load and returns its figures. */
  stop(): Promise<LoadResult>;
}

/**
 * Starts autocannon in a child process against `url` with `connections` connections, bounded
 * by `maxSeconds` even if the test never stops it.
 */
export async function startLoad(url: string, connections = 50, maxSeconds = 180): Promise<Load> {
  const runner = new URL("./load-runner.mjs", import.meta.url).pathname;
  const child = fork(runner, [url, String(connections), String(maxSeconds)], { stdio: "inherit" });
  const messages: unknown[] = [];
  const waiters: ((message: unknown) => void)[] = [];
  child.on("message", (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else messages.push(message);
  });
  const next = () =>
    messages.length > 0
      ? Promise.resolve(messages.shift())
      : new Promise<unknown>((resolve) => waiters.push(resolve));
  await next();
  return {
    async stop() {
      child.send("stop");
      const result = (await next()) as LoadResult & { error?: string };
      await once(child, "exit").catch(() => {});
      if (result.error) throw new Error(result.error);
      return result;
    },
  };
}
