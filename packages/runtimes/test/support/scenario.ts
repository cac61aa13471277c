import assert from "node:assert/strict";
import type { HostConnection, HostRelease, RestartContext, RuntimeStrategy } from "@deploykit/core";
import { strategyContext } from "@deploykit/core";
import type { RuntimeScenario } from "@deploykit/runtimes/testing";
import { createTestHost, fetchText, type TestHost } from "./host";
import { createRemoteTestHost } from "./remote-host";

/** What the three scenario kinds change in the new release. */
export const releaseFlags = (kind: "healthy" | "broken" | "hanging") => ({
  crash: kind === "broken",
  hang: kind === "hanging",
});

/** Asserts that `url` answers with `version` (the fixtures answer their VERSION). */
export async function assertAnswers(url: string, version: string): Promise<void> {
  assert.equal(await fetchText(url), version, `${url} should answer ${version}`);
}

/**
 * A scenario on a hand-made host: v1 brought up with the strategy, then `current` switched to a
 * v2 built for `kind`, and a context to restart into it. With `connection` (an SSH test host)
 * the root is on that server and the context's `host` is the connection.
 */
export async function hostScenario(options: {
  fixture: string;
  kind: "healthy" | "broken" | "hanging";
  strategy: RuntimeStrategy;
  env?: Record<string, string> | ((host: TestHost) => Record<string, string>);
  prepare?: (host: TestHost) => Promise<void>;
  processes?: Record<string, string>;
  connection?: HostConnection;
}): Promise<{
  host: TestHost;
  v1: HostRelease;
  v2: HostRelease;
  ctx: RestartContext;
  stop: () => Promise<void>;
}> {
  const { connection } = options;
  const host = connection
    ? await createRemoteTestHost(options.fixture, connection)
    : await createTestHost(options.fixture);
  await options.prepare?.(host);
  const extra = options.processes ? { processes: options.processes } : {};
  const v1 = await host.addRelease("1.0.0", extra);
  await host.activate(v1);
  const env = typeof options.env === "function" ? options.env(host) : (options.env ?? {});
  const base = { app: "web", root: host.root, env, ...(connection ? { host: connection } : {}) };
  await options.strategy.restart(strategyContext({ ...base, release: v1 }));
  const v2 = await host.addRelease("2.0.0", { ...releaseFlags(options.kind), ...extra });
  await host.activate(v2);
  const ctx: RestartContext = { ...base, release: v2, previous: v1 };
  const stop = async () => {
    await options.strategy.stop?.(strategyContext(ctx)).catch(() => {});
    await host.remove();
  };
  return { host, v1, v2, ctx, stop };
}

/** Wraps a {@link hostScenario} as a contract scenario with the usual checks. */
export function scenario(
  built: Awaited<ReturnType<typeof hostScenario>>,
  strategy: RuntimeStrategy,
  checks: Partial<RuntimeScenario>,
): RuntimeScenario {
  return { strategy, ctx: built.ctx, cleanup: built.stop, ...checks };
}
