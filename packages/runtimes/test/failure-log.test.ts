// A failed restart's report quotes the log of the release that failed, not of earlier runs: the
// log under shared/log is appended to by every release, and the tail used to be the file's last
// 2000 bytes, whatever wrote them. Real node, unicorn, sidekiq + redis, switched by deploy().
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createFsStore,
  type DeployKitError,
  type DeployResult,
  deploy,
  strategyContext,
} from "@deploykit/core";
import { node, process as processStrategy, sidekiq } from "@deploykit/runtimes";
import { afterEach, describe, expect, it } from "vitest";
import { nodeAppHost } from "./support/node-app-host";
import { rackAppHost } from "./support/rack-app-host";
import { startRedis } from "./support/redis";
import { publishFixture } from "./support/releases";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

const readLog = (path: string) => readFile(path, "utf8").catch(() => "");

/**
 * Deploys the failing `version` and checks its report: rolled back, the failure's own lines
 * quoted, and the quoted tail (`details.log`, and the message) made only of bytes the log got
 * after it held `before` (what the earlier runs wrote), none of `before`'s `oldLine`s.
 */
async function failsQuotingOnlyItsOwnLog(
  attempt: () => Promise<DeployResult>,
  logFile: string,
  own: string,
  oldLine: string,
): Promise<DeployKitError> {
  const before = await readLog(logFile);
  expect(before).toContain(oldLine);
  const result = await attempt();
  expect(result.rolledBack).toBe(true);
  const cause = result.cause as DeployKitError;
  const tail = String(cause.details.log);
  expect(tail).toContain(own);
  expect(tail).not.toContain(oldLine);
  expect(cause.message).not.toContain(oldLine);
  const after = await readLog(logFile);
  expect(after.startsWith(before)).toBe(true);
  expect(after.slice(before.length)).toContain(tail);
  return cause;
}

describe("a failed deploy quotes only the failed release's log lines", () => {
  it("process(): a release that crashes at boot, after 1.0.0 ran and logged", async () => {
    const host = await nodeAppHost("dk-failure-log-process-");
    const strategy = () => processStrategy({ port: host.port, stopTimeoutMs: 5_000 });
    cleanups.push(() => host.dispose(strategy()));
    const deployVersion = (version: string) =>
      deploy({ store: host.store, app: "web", version, root: host.root, strategy: strategy() });
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    await failsQuotingOnlyItsOwnLog(
      () => deployVersion("3.0.0"),
      join(host.root, "shared/log/web.log"),
      "version 3.0.0 crashes at boot on purpose",
      "version 1.0.0 listening",
    );
  }, 60_000);

  it("node(): new workers that crash under the running launcher (HUP), whose log holds 1.0.0's lines", async () => {
    const host = await nodeAppHost("dk-failure-log-node-");
    const strategy = () => node({ port: host.port, workers: 2, timeoutMs: 20_000 });
    cleanups.push(() => host.dispose(strategy()));
    const deployVersion = (version: string) =>
      deploy({ store: host.store, app: "web", version, root: host.root, strategy: strategy() });
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    await failsQuotingOnlyItsOwnLog(
      () => deployVersion("3.0.0"),
      join(host.root, "shared/log/node.log"),
      "version 3.0.0 crashes at boot on purpose",
      "version 1.0.0 listening",
    );
  }, 60_000);

  it("unicorn(): a USR2 upgrade whose new master raises at boot, after 1.0.0's master logged", async () => {
    const host = await rackAppHost("dk-failure-log-unicorn-", [
      ["1.0.0", {}],
      ["3.0.0", { crash: true }],
    ]);
    cleanups.push(() => host.dispose());
    const strategy = host.unicorn({ healthcheck: `http://127.0.0.1:${host.port}/health`, timeoutMs: 30_000 });
    expect((await host.deploy("1.0.0", strategy)).rolledBack).toBe(false);
    await failsQuotingOnlyItsOwnLog(
      () => host.deploy("3.0.0", strategy),
      join(host.root, "shared/log/unicorn.log"),
      "version 3.0.0 crashes at boot on purpose",
      "master process ready",
    );
  }, 90_000);

  it("sidekiq(): a new process that raises at boot, after 1.0.0's process logged", async () => {
    const work = await mkdtemp(join(tmpdir(), "dk-failure-log-sidekiq-"));
    const root = join(work, "host");
    await mkdir(root, { recursive: true });
    const redis = await startRedis();
    const store = createFsStore({ dir: join(work, "store") });
    const strategy = () =>
      sidekiq({ timeoutMs: 2_000, startCommand: ["sidekiq", "-r", "./worker.rb", "-c", "2", "-t", "2"] });
    cleanups.push(async () => {
      const release = { version: "x", dir: join(root, "current"), manifest: {} as never };
      await strategy().stop?.(strategyContext({ app: "jobs", root, release }));
      await redis.stop();
      await rm(work, { recursive: true, force: true });
    });
    for (const [version, crash] of [
      ["1.0.0", false],
      ["3.0.0", true],
    ] as const)
      await publishFixture(store, "jobs", "sidekiq-app", version, { crash, processes: {} });
    const deployVersion = (version: string) =>
      deploy({ store, app: "jobs", version, root, strategy: strategy(), env: { REDIS_URL: redis.url } });
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    await failsQuotingOnlyItsOwnLog(
      () => deployVersion("3.0.0"),
      join(root, "shared/log/sidekiq.log"),
      "version 3.0.0 crashes at boot on purpose",
      "Running in",
    );
  }, 90_000);
});
