import { join } from "node:path";
import { node, pm2 } from "@deploykit/runtimes";
import { type RuntimeHarness, runtimeContractCases } from "@deploykit/runtimes/testing";
import { execa } from "execa";
import { describe, it } from "vitest";
import { freePort } from "./support/host";
import { assertAnswers, hostScenario, scenario } from "./support/scenario";

// The contract kit against node() (its cluster launcher) and a real pm2 with a private PM2_HOME.

const nodeHarness: RuntimeHarness = {
  async setup(kind) {
    const port = await freePort();
    const strategy = node({ port, workers: 2, timeout: 3, healthcheck: `http://127.0.0.1:${port}/health` });
    const built = await hostScenario({ fixture: "node-app", kind, strategy });
    const url = `http://127.0.0.1:${port}/`;
    return scenario(built, strategy, {
      timeoutMs: 3_000,
      assertServing: () => assertAnswers(url, "2.0.0"),
      assertSurvived: () => assertAnswers(url, "1.0.0"),
    });
  },
};

const pm2Bin = new URL("../../../node_modules/.bin/pm2", import.meta.url).pathname;
const pm2Harness: RuntimeHarness = {
  async setup(kind) {
    const port = await freePort();
    let home = "";
    const make = () =>
      pm2({
        name: "web",
        bin: pm2Bin,
        home,
        port,
        instances: 2,
        timeout: 3,
        healthcheck: `http://127.0.0.1:${port}/health`,
      });
    const strategy = {
      name: "pm2",
      restart: (ctx: Parameters<ReturnType<typeof pm2>["restart"]>[0]) => make().restart(ctx),
      status: (ctx: Parameters<ReturnType<typeof pm2>["restart"]>[0]) =>
        make().status?.(ctx) ?? Promise.resolve({ running: false }),
    };
    const built = await hostScenario({
      fixture: "node-app",
      kind,
      strategy,
      prepare: async (host) => {
        home = join(host.root, "pm2");
      },
    });
    const url = `http://127.0.0.1:${port}/`;
    return scenario(built, strategy, {
      timeoutMs: 3_000,
      assertServing: () => assertAnswers(url, "2.0.0"),
      assertSurvived: () => assertAnswers(url, "1.0.0"),
      cleanup: async () => {
        await execa(pm2Bin, ["kill"], { env: { PM2_HOME: home }, reject: false });
        await built.stop();
      },
    });
  },
};

describe("node() passes the runtime contract (real cluster launcher)", () => {
  for (const contract of runtimeContractCases(nodeHarness)) it(contract.name, contract.run, 60_000);
});

describe("pm2() passes the runtime contract (real pm2)", () => {
  for (const contract of runtimeContractCases(pm2Harness, { graceMs: 30_000 }))
    it(contract.name, contract.run, 120_000);
});
