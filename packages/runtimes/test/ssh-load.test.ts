import { mkdtemp, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type ArtifactStore,
  createFsStore,
  type DeployResult,
  deploy,
  type HostConnection,
  isDeployKitError,
  liveRelease,
  type RuntimeStrategy,
  sshHost,
  strategyContext,
} from "@deploykit/core";
import { node, sidekiq, unicorn } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { startTestHosts, type TestHost, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { fetchText, fixture } from "./support/host";
import { deploysUnderLoad, type LoadResult } from "./support/load";
import { publishFixture } from "./support/releases";

// Issue 11's load acceptance over SSH: the same apps, strategies and load as unicorn.test.ts,
// sidekiq.test.ts and node.test.ts, but the apps run on a test host (a systemd-nspawn container
// with Debian's ruby, unicorn, sidekiq, redis-server and nodejs) reached only through sshHost();
// the load comes from this (control) machine to the container's address.
let hosts: TestHosts;
let apps: TestHost;
let host: HostConnection;
let store: ArtifactStore;
/** Prints a load run's figures when DK_TEST_TRACE is set (they are asserted either way). */
const report = (what: string, load: LoadResult) => {
  if (process.env.DK_TEST_TRACE) console.log(`${what}: ${JSON.stringify(load)}`);
};
/** What each test started, stopped in afterAll through the live release's real manifest. */
const running: { root: string; strategy: RuntimeStrategy }[] = [];

beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["apps"], template: "apps" });
  apps = hosts.host("apps");
  host = sshHost({ host: "apps", sshConfig: hosts.sshConfig });
  store = createFsStore({ dir: join(await mkdtemp(join(hosts.dir, "store-")), "store") });
}, 300_000);

afterAll(async () => {
  for (const { root, strategy } of running.reverse()) {
    const live = await liveRelease(root, { host }).catch(() => undefined);
    if (!live) continue;
    const ctx = strategyContext({ host, app: live.release.manifest.app, root, release: live.release });
    await strategy.stop?.(ctx).catch((error: unknown) => console.error(`stopping ${root}:`, error));
  }
  await host?.close();
  await hosts?.stop();
}, 120_000);

describe("unicorn() over SSH under load", () => {
  const root = "/srv/rack";
  const port = 8080;
  const strategy = () =>
    unicorn({
      healthcheck: `http://127.0.0.1:${port}/health`,
      expectVersion: true,
      timeout: 30,
      workers: 2,
      startCommand: `unicorn -E none -D -c ${root}/shared/unicorn.rb`,
    });
  const deployVersion = (version: string) =>
    deploy({
      store,
      app: "rack",
      version,
      root,
      host,
      strategy: strategy(),
      env: { DK_ROOT: root, DK_PORT: String(port), DK_LISTEN: "0.0.0.0" },
    });

  it("starts, then 5 USR2 upgrades under 50 connections and a release that raises at boot: zero errors", async () => {
    for (const [version, crash] of [
      ["1.0.0", false],
      ["2.0.0", false],
      ["3.0.0", true],
    ] as const) {
      await publishFixture(store, "rack", "rack-app", version, { crash, processes: {} });
    }
    await host.writeFile(
      `${root}/shared/unicorn.rb`,
      await readFile(join(fixture("rack-app"), "unicorn.rb")),
    );
    running.push({ root, strategy: strategy() });
    const url = `http://${apps.address}:${port}/`;
    const first = await deployVersion("1.0.0");
    expect(first).toMatchObject({ rolledBack: false, restart: { details: { mode: "start" } } });
    expect(await fetchText(url)).toBe("1.0.0");

    const { served, failed, load } = await deploysUnderLoad(url, async (version) => {
      const result = await deployVersion(version);
      if (version !== "3.0.0") expect(result.restart?.details?.mode).toBe("upgrade");
      return result;
    });
    expect(served).toEqual(["2.0.0", "1.0.0", "2.0.0", "1.0.0", "2.0.0", "2.0.0"]);
    report("unicorn over SSH", load);
    expect(failed.rolledBack).toBe(true);
    expect(
      isDeployKitError(failed.cause, "E_RESTART_FAILED"),
      `cause: ${(failed.cause as { code?: string } | undefined)?.code} ${failed.cause?.message}`,
    ).toBe(true);
    expect(String(failed.cause?.details.log)).toContain("crashes at boot on purpose");
    // The masters are the server's processes, not this machine's.
    const master = (await apps.ssh(`cat ${root}/shared/tmp/pids/unicorn.pid`)).stdout.trim();
    expect((await apps.ssh(`tr '\\0' ' ' < /proc/${master}/cmdline`)).stdout).toContain("unicorn master");
  }, 300_000);
});

describe("sidekiq() over SSH with the host's redis-server", () => {
  const root = "/srv/jobs";
  const TIMEOUT = 10;
  const REDIS_URL = "redis://127.0.0.1:6379/0";
  const strategy = () =>
    sidekiq({
      timeout: TIMEOUT,
      startCommand: ["sidekiq", "-r", "./worker.rb", "-c", "25", "-t", String(TIMEOUT)],
    });
  const deployVersion = (version: string) =>
    deploy({ store, app: "jobs", version, root, host, strategy: strategy(), env: { REDIS_URL } });
  const redis = async (command: string) => (await apps.ssh(`redis-cli ${command}`)).stdout.trim();

  it("200 jobs of 1-3 s across 3 deploys: none lost, none KILLed", async () => {
    for (const version of ["1.0.0", "2.0.0", "3.0.0", "4.0.0"]) {
      await publishFixture(store, "jobs", "sidekiq-app", version, { processes: {} });
    }
    await eventually("the host's redis-server to answer", async () => (await redis("ping")) === "PONG");
    await redis("del done");
    running.push({ root, strategy: strategy() });
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    const enqueued = await apps.ssh(`cd ${root}/current && REDIS_URL=${REDIS_URL} ruby enqueue.rb 200`);
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const results: DeployResult[] = [];
    for (const version of ["2.0.0", "3.0.0", "4.0.0"]) results.push(await deployVersion(version));
    for (const result of results) {
      expect(result.rolledBack, String(result.cause?.message)).toBe(false);
      expect(result.restart?.details?.killed).toBe(false);
      expect(result.restart?.details?.seen).toContainEqual(expect.stringMatching(/^TSTP sent/));
    }
    await eventually("200 jobs done", async () => Number(await redis("llen done")) >= 200, {
      timeoutMs: 120_000,
      intervalMs: 500,
    }).catch(() => undefined); // asserted below, with what did get done
    const done = (await redis("lrange done 0 -1")).split("\n").filter(Boolean);
    expect(new Set(done.map((line) => line.split(" ")[0])).size).toBe(200);
    const pid = (await apps.ssh(`cat ${root}/shared/tmp/pids/sidekiq.pid`)).stdout.trim();
    expect((await apps.ssh(`readlink /proc/${pid}/cwd`)).stdout.trim()).toBe(`${root}/releases/4.0.0`);
  }, 300_000);
});

describe("node() over SSH under load", () => {
  const root = "/srv/web";
  const port = 3000;
  const strategy = () =>
    node({ port, workers: 2, timeout: 20, healthcheck: `http://127.0.0.1:${port}/health` });
  const deployVersion = (version: string) =>
    deploy({ store, app: "web", version, root, host, strategy: strategy(), env: { DK_LISTEN: "0.0.0.0" } });

  it("5 deploys under 50 connections, then a release that crashes at boot: zero errors", async () => {
    for (const [version, crash] of [
      ["1.0.0", false],
      ["2.0.0", false],
      ["3.0.0", true],
    ] as const) {
      await publishFixture(store, "web", "node-app", version, { crash });
    }
    running.push({ root, strategy: strategy() });
    const url = `http://${apps.address}:${port}/`;
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    expect(await fetchText(url)).toBe("1.0.0");
    const { served, failed, load } = await deploysUnderLoad(url, deployVersion);
    report("node over SSH", load);
    expect(served).toEqual(["2.0.0", "1.0.0", "2.0.0", "1.0.0", "2.0.0", "2.0.0"]);
    expect(failed.rolledBack).toBe(true);
    expect(isDeployKitError(failed.cause, "E_RESTART_FAILED")).toBe(true);
  }, 300_000);
});
