import { fork } from "node:child_process";
import { once } from "node:events";
import { expect } from "vitest";
import { fetchText } from "./host";

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

/** What {@link deploysUnderLoad} saw. */
export interface DeploysUnderLoad<R> {
  /** The version answering after each deploy, the broken one last. */
  served: string[];
  /** The result of deploying the broken release. */
  failed: R;
  /** What the load saw (asserted: more than 1 000 requests, 0 errors, 0 non-2xx). */
  load: LoadResult;
}

/**
 * The acceptance scenario of every zero-downtime strategy: under 50 connections of continuous
 * load, deploys 2.0.0, 1.0.0, 2.0.0, 1.0.0, 2.0.0 (each must not roll back), then a release that
 * fails at boot. Asserts the load saw zero socket errors and zero non-2xx answers.
 */
export async function deploysUnderLoad<R extends { rolledBack: boolean; cause?: { message: string } }>(
  url: string,
  deployVersion: (version: string) => Promise<R>,
  broken = "3.0.0",
): Promise<DeploysUnderLoad<R>> {
  const load = await startLoad(url, 50);
  const served: string[] = [];
  let figures: LoadResult | undefined;
  try {
    for (const version of ["2.0.0", "1.0.0", "2.0.0", "1.0.0", "2.0.0"]) {
      const result = await deployVersion(version);
      expect(result.rolledBack, String(result.cause?.message)).toBe(false);
      served.push((await fetchText(url)) ?? "none");
    }
    const failed = await deployVersion(broken);
    served.push((await fetchText(url)) ?? "none");
    figures = await load.stop();
    return { served, failed, load: figures };
  } finally {
    figures ??= await load.stop();
    expect(figures.requests).toBeGreaterThan(1_000);
    expect(figures).toMatchObject({ errors: 0, non2xx: 0 });
  }
}
