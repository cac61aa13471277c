// The user's health-gate timeout (deploy({ healthcheck: { timeoutMs } }), the CLI's
// --healthcheck-timeout) bounds how long a strategy waits for the new release to come up
// (StrategyContext.readyTimeoutMs); the strategy's own default applies only when the user gave
// none. A release that starts but never listens used to be waited on for the strategy's default
// (process/node 30 s, unicorn/sidekiq/signal 60 s, systemd 90 s) whatever the gate said.
// Elapsed times are checked against those defaults: each failure must come well before them.
import assert from "node:assert/strict";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type DeployKitError,
  deploy,
  isDeployKitError,
  type RestartContext,
  type RuntimeStrategy,
  restart,
  strategyContext,
} from "@deploykit/core";
import {
  node,
  pm2,
  process as processStrategy,
  sidekiq,
  signal,
  systemd,
  sysv,
  unicorn,
  upstart,
} from "@deploykit/runtimes";
import { createFakeClock, createRecordingRunner } from "@deploykit/runtimes/testing";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { fetchText, fixture, freePort } from "./support/host";
import { nodeAppHost } from "./support/node-app-host";
import { startRedis } from "./support/redis";
import { publishFixture } from "./support/releases";
import { hostScenario } from "./support/scenario";

/** The health gate's timeout the tests give (ms): far below every strategy's default. */
const GATE_MS = 2_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** Runs `attempt` and returns how long it took (ms) with what it resolved to. */
async function timed<T>(attempt: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = Date.now();
  const value = await attempt();
  return { ms: Date.now() - started, value };
}

describe("deploy(): a release that starts but never listens fails within the health gate's timeout and rolls back", () => {
  for (const [name, make, defaultMs] of [
    ["process", (port: number) => processStrategy({ port, stopTimeoutMs: 5_000 }), 30_000],
    ["node", (port: number) => node({ port, workers: 2 }), 30_000],
  ] as const) {
    it(`${name}(): no start timeout given; the gate's ${GATE_MS} ms, not the default ${defaultMs} ms`, async () => {
      const host = await nodeAppHost(`dk-ready-timeout-${name}-`);
      cleanups.push(() => host.dispose(make(host.port)));
      await publishFixture(host.store, "web", "node-app", "4.0.0", { hang: true });
      const url = `http://127.0.0.1:${host.port}/`;
      const deployVersion = (version: string) =>
        deploy({
          store: host.store,
          app: "web",
          version,
          root: host.root,
          strategy: make(host.port),
          healthcheck: { url: `${url}health`, timeoutMs: GATE_MS },
        });
      expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
      const { ms, value: result } = await timed(() => deployVersion("4.0.0"));
      expect(result.rolledBack).toBe(true);
      expect(result.release.version).toBe("1.0.0");
      expect(isDeployKitError(result.cause, "E_RESTART_FAILED")).toBe(true);
      expect(result.cause?.message).toMatch(new RegExp(`${GATE_MS} ms`));
      expect(ms).toBeLessThan(defaultMs);
      expect(await fetchText(url)).toBe("1.0.0");
    }, 120_000);
  }

  it("node(): a later deploy without a gate timeout gets the default again, not the launcher's earlier bound", async () => {
    const host = await nodeAppHost("dk-ready-timeout-node-later-");
    const strategy = () =>
      node({ port: host.port, workers: 1, healthcheck: `http://127.0.0.1:${host.port}/health` });
    cleanups.push(() => host.dispose(strategy()));
    // 5.0.0 answers 500 for 4 s after boot: its worker joins only after that, longer than GATE_MS.
    await publishFixture(host.store, "web", "node-app", "5.0.0", { warmupMs: 2 * GATE_MS });
    const deployVersion = (version: string, timeoutMs?: number) =>
      deploy({
        store: host.store,
        app: "web",
        version,
        root: host.root,
        strategy: strategy(),
        ...(timeoutMs === undefined
          ? {}
          : { healthcheck: { url: `http://127.0.0.1:${host.port}/health`, timeoutMs } }),
      });
    expect((await deployVersion("1.0.0", GATE_MS)).rolledBack).toBe(false);
    const later = await deployVersion("5.0.0");
    expect(later.cause?.message).toBeUndefined();
    expect(later.rolledBack).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${host.port}/`)).toBe("5.0.0");
  }, 120_000);
});

/**
 * Restarts into a v2 that never comes up, with `readyTimeoutMs: GATE_MS` in the context (what
 * deploy() passes), and checks it fails before the strategy's `defaultMs`; returns the error.
 */
async function failsBeforeDefault(
  strategy: RuntimeStrategy,
  ctx: RestartContext,
  defaultMs: number,
): Promise<DeployKitError> {
  const { ms, value: error } = await timed(() =>
    restart(strategy, { ...ctx, readyTimeoutMs: GATE_MS }).then(
      () => assert.fail("the restart into a release that never comes up succeeded"),
      (e: unknown) => e,
    ),
  );
  assert.ok(isDeployKitError(error, "E_RESTART_FAILED"), String(error));
  expect(ms).toBeLessThan(defaultMs);
  return error;
}

describe("every strategy's start/ready wait is bounded by the context's readyTimeoutMs (real processes)", () => {
  it("unicorn(): a USR2 master that never boots (default 60 000 ms); the old master keeps serving", async () => {
    const port = await freePort();
    let config = "";
    const strategy = {
      name: "unicorn",
      restart: (ctx: Parameters<RuntimeStrategy["restart"]>[0]) =>
        unicorn({
          healthcheck: `http://127.0.0.1:${port}/health`,
          workers: 2,
          startCommand: `unicorn -E none -D -c ${config}`,
        }).restart(ctx),
      stop: (ctx: Parameters<RuntimeStrategy["restart"]>[0]) =>
        unicorn({ startCommand: `unicorn -E none -D -c ${config}` }).stop?.(ctx) ?? Promise.resolve(),
    };
    const built = await hostScenario({
      fixture: "rack-app",
      kind: "hanging",
      strategy,
      env: (host) => ({ DK_ROOT: host.root, DK_PORT: String(port) }),
      prepare: async (host) => {
        config = join(host.root, "shared", "unicorn.rb");
        await copyFile(join(fixture("rack-app"), "unicorn.rb"), config);
      },
      processes: {},
    });
    cleanups.push(built.stop);
    const error = await failsBeforeDefault(strategy, built.ctx, 60_000);
    expect(String(error.details.seen)).toContain(`not ready after ${GATE_MS} ms`);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
  }, 120_000);

  it("sidekiq(): a new process that never boots (default 60 000 ms); v1 runs again", async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const strategy = sidekiq({
      timeoutMs: 2_000,
      startCommand: ["sidekiq", "-r", "./worker.rb", "-c", "2", "-t", "2"],
    });
    const built = await hostScenario({
      fixture: "sidekiq-app",
      kind: "hanging",
      strategy,
      env: { REDIS_URL: redis.url },
      processes: {},
    });
    cleanups.push(built.stop);
    const error = await failsBeforeDefault(strategy, built.ctx, 60_000);
    expect(String(error.details.seen)).toContain(`did not boot within ${GATE_MS} ms`);
    expect((await strategy.status?.(strategyContext(built.ctx)))?.running).toBe(true);
  }, 120_000);

  it("pm2(): a canary that never listens (default 30 000 ms for ready, then as much for health)", async () => {
    const port = await freePort();
    let home = "";
    const pm2Bin = new URL("../../../node_modules/.bin/pm2", import.meta.url).pathname;
    const make = () =>
      pm2({
        name: "web",
        bin: pm2Bin,
        home,
        port,
        instances: 1,
        healthcheck: `http://127.0.0.1:${port}/health`,
      });
    const strategy = {
      name: "pm2",
      restart: (ctx: Parameters<RuntimeStrategy["restart"]>[0]) => make().restart(ctx),
    };
    const built = await hostScenario({
      fixture: "node-app",
      kind: "hanging",
      strategy,
      prepare: async (host) => {
        home = join(host.root, "pm2");
      },
    });
    cleanups.push(async () => {
      await execa(pm2Bin, ["kill"], { env: { PM2_HOME: home }, reject: false });
      await built.stop();
    });
    await failsBeforeDefault(strategy, built.ctx, 30_000);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
  }, 120_000);

  it("signal(): a health URL that never answers after the signal (default 60 000 ms)", async () => {
    const port = await freePort();
    const web = processStrategy({ port, stopTimeoutMs: 3_000 });
    // `exec`: the pid file holds node itself (SIGHUP to a wrapping sh would end the sh, not the app).
    const built = await hostScenario({
      fixture: "node-app",
      kind: "healthy",
      strategy: web,
      processes: { web: "exec node server.js" },
    });
    cleanups.push(built.stop);
    const strategy = signal({
      pidFile: join(built.host.root, "shared/tmp/pids/web.pid"),
      healthcheck: `http://127.0.0.1:${await freePort()}/health`,
    });
    const error = await failsBeforeDefault(strategy, built.ctx, 60_000);
    expect(error.message).toContain(`not ready within ${GATE_MS} ms`);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
  }, 60_000);
});

describe("init strategies' wait for the service is bounded by readyTimeoutMs (recording runner as the init system)", () => {
  // No init system may run here (see contract-init.test.ts): a scripted one that never says the
  // service is up, on the fake clock, whose elapsed time is exact.
  const pending = (command: string, args: readonly string[]) => {
    if (command === "systemctl" && args[0] === "is-active") return { stdout: "activating\n", exitCode: 3 };
    if (command === "initctl" && args[0] === "status") return { stdout: "web start/spawned, process 4242\n" };
    if (command === "/etc/init.d/web" && args[0] === "status") return { exitCode: 4 };
    return {};
  };
  for (const [name, strategy, defaultMs] of [
    ["systemd", systemd({ unit: "web.service" }), 90_000],
    ["upstart", upstart({ job: "web" }), 60_000],
    ["sysv", sysv({ service: "web" }), 60_000],
    ["sidekiq({ service })", sidekiq({ service: "sidekiq.service" }), 90_000],
  ] as const) {
    it(`${name}: the gate's ${GATE_MS} ms, not ${defaultMs} ms`, async () => {
      const runner = createRecordingRunner();
      runner.respond = (call) => pending(call.command, call.args);
      const clock = createFakeClock(1_000_000);
      const release = { version: "2.0.0", dir: "/srv/web/releases/2.0.0", manifest: {} as never };
      const ctx = { app: "web", root: "/srv/web", release, runner, clock, readyTimeoutMs: GATE_MS };
      const error = await restart(strategy, ctx).catch((e: unknown) => e);
      assert.ok(isDeployKitError(error, "E_RESTART_FAILED"), String(error));
      expect(error.message).toContain(`within ${GATE_MS} ms`);
      expect(clock.now() - 1_000_000).toBeLessThan(GATE_MS + 1_000);
    });
  }
});
