import assert from "node:assert/strict";
import { copyFile, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { sidekiq, unicorn } from "@deploykit/runtimes";
import { type RuntimeHarness, runtimeContractCases } from "@deploykit/runtimes/testing";
import { afterAll, beforeAll, describe, it } from "vitest";
import { fixture, freePort } from "./support/host";
import { startRedis, type TestRedis } from "./support/redis";
import { assertAnswers, hostScenario, scenario } from "./support/scenario";

// The contract kit against real Debian unicorn (rack-app fixture) and sidekiq + redis-server.

const unicornHarness: RuntimeHarness = {
  async setup(kind) {
    const port = await freePort();
    let config = "";
    const make = () =>
      unicorn({
        healthcheck: `http://127.0.0.1:${port}/health`,
        timeout: 8,
        workers: 2,
        startCommand: `unicorn -E none -D -c ${config}`,
      });
    const strategy = {
      name: "unicorn",
      restart: (ctx: Parameters<ReturnType<typeof unicorn>["restart"]>[0]) => make().restart(ctx),
      stop: (ctx: Parameters<ReturnType<typeof unicorn>["restart"]>[0]) =>
        make().stop?.(ctx) ?? Promise.resolve(),
      status: (ctx: Parameters<ReturnType<typeof unicorn>["restart"]>[0]) =>
        make().status?.(ctx) ?? Promise.resolve({ running: false }),
    };
    const built = await hostScenario({
      fixture: "rack-app",
      kind,
      strategy,
      env: (host) => ({ DK_ROOT: host.root, DK_PORT: String(port) }),
      prepare: async (host) => {
        config = join(host.root, "shared", "unicorn.rb");
        await copyFile(join(fixture("rack-app"), "unicorn.rb"), config);
      },
      processes: {},
    });
    const url = `http://127.0.0.1:${port}/`;
    const pidFile = join(built.host.root, "shared/tmp/pids/unicorn.pid");
    const master = Number(await readFile(pidFile, "utf8"));
    return scenario(built, strategy, {
      timeoutMs: 8_000,
      assertServing: () => assertAnswers(url, "2.0.0"),
      assertSurvived: async () => {
        await assertAnswers(url, "1.0.0");
        assert.equal(Number(await readFile(pidFile, "utf8")), master, "the old master holds the pid file");
      },
    });
  },
};

let redis: TestRedis;
const sidekiqHarness: RuntimeHarness = {
  async setup(kind) {
    const strategy = sidekiq({
      timeout: 2,
      startTimeout: 4,
      startCommand: ["sidekiq", "-r", "./worker.rb", "-c", "2", "-t", "2"],
    });
    const built = await hostScenario({
      fixture: "sidekiq-app",
      kind,
      strategy,
      env: { REDIS_URL: redis.url },
      processes: {},
    });
    const pidFile = join(built.host.root, "shared/tmp/pids/sidekiq.pid");
    const first = Number(await readFile(pidFile, "utf8"));
    const runs = async (version: string) => {
      const pid = Number(await readFile(pidFile, "utf8"));
      assert.equal(await readlink(`/proc/${pid}/cwd`), join(built.host.root, "releases", version));
      return pid;
    };
    return scenario(built, strategy, {
      timeoutMs: 4_000,
      assertServing: async () => void (await runs("2.0.0")),
      // After a failed start the quiet v1 process is replaced by a fresh (not quiet) v1 process.
      assertSurvived:
        kind === "healthy"
          ? async () => assert.equal(await runs("1.0.0"), first)
          : async () => assert.notEqual(await runs("1.0.0"), first),
    });
  },
};

describe("unicorn() passes the runtime contract (real unicorn)", () => {
  for (const contract of runtimeContractCases(unicornHarness)) it(contract.name, contract.run, 60_000);
});

describe("sidekiq() passes the runtime contract (real sidekiq + redis)", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  for (const contract of runtimeContractCases(sidekiqHarness, { graceMs: 20_000 }))
    it(contract.name, contract.run, 90_000);
});
