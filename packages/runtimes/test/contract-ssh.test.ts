import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { type HostConnection, isDeployKitError, restart, sshHost } from "@deploykit/core";
import { command, node, process as processStrategy } from "@deploykit/runtimes";
import { type RuntimeHarness, runtimeContractCases } from "@deploykit/runtimes/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHosts, type TestHost, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { assertAnswers, hostScenario, scenario } from "./support/scenario";

// The contract kit against the built-in strategies on a server reached over SSH (the "apps" test
// host: Debian's nodejs), the same cases contract-process.test.ts and contract-node.test.ts run
// on this machine: the strategies act through ctx.host and its ports, nothing else changes.
let hosts: TestHosts;
let server: TestHost;
let connection: HostConnection;
beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["contract"], template: "apps" });
  server = hosts.host("contract");
  connection = sshHost({ host: "contract", sshConfig: hosts.sshConfig });
}, 300_000);
afterAll(async () => {
  await connection?.close();
  await hosts?.stop();
});

/** Each scenario gets its own port on the server (a fresh namespace: nothing else listens there). */
let nextPort = 7000;
const listenEverywhere = { DK_LISTEN: "0.0.0.0" };

const processHarness: RuntimeHarness = {
  async setup(kind) {
    const port = nextPort++;
    const strategy = processStrategy({ port, startTimeoutMs: 2_000, stopTimeoutMs: 3_000 });
    const built = await hostScenario({
      fixture: "node-app",
      kind,
      strategy,
      connection,
      env: listenEverywhere,
    });
    const url = `http://${server.address}:${port}/`;
    const pidFile = `${built.host.root}/shared/tmp/pids/web.pid`;
    return scenario(built, strategy, {
      timeoutMs: 2_000,
      assertServing: () => assertAnswers(url, "2.0.0"),
      assertSurvived:
        kind === "healthy"
          ? () => assertAnswers(url, "1.0.0")
          : async () => assert.equal(await connection.readFile(pidFile), undefined),
    });
  },
};

const nodeHarness: RuntimeHarness = {
  async setup(kind) {
    const port = nextPort++;
    const strategy = node({ port, workers: 2, timeout: 3, healthcheck: `http://127.0.0.1:${port}/health` });
    const built = await hostScenario({
      fixture: "node-app",
      kind,
      strategy,
      connection,
      env: listenEverywhere,
    });
    const url = `http://${server.address}:${port}/`;
    return scenario(built, strategy, {
      timeoutMs: 3_000,
      assertServing: () => assertAnswers(url, "2.0.0"),
      assertSurvived: () => assertAnswers(url, "1.0.0"),
    });
  },
};

const commandHarness: RuntimeHarness = {
  async setup(kind) {
    const dir = `/srv/dk-command-${randomUUID().slice(0, 8)}`;
    await connection.mkdirs([dir]);
    const marker = `${dir}/restarted`;
    const restart = {
      healthy: `touch ${marker}`,
      broken: "echo broken >&2; exit 3",
      hanging: ["sleep", "30"],
    }[kind];
    const strategy = command({ restart, timeoutMs: 1_000 });
    const release = { version: "2.0.0", dir, manifest: {} as never };
    return {
      strategy,
      ctx: { app: "web", root: dir, release, host: connection },
      timeoutMs: 1_000,
      assertServing: async () => assert.ok(await connection.readFile(marker)),
      assertSurvived: async () => assert.equal(await connection.readFile(marker), undefined),
      cleanup: () => connection.remove([dir]),
    };
  },
};

for (const [name, harness] of [
  ["process", processHarness],
  ["node", nodeHarness],
  ["command", commandHarness],
] as const) {
  describe(`${name}() passes the runtime contract over SSH`, () => {
    for (const contract of runtimeContractCases(harness)) it(contract.name, contract.run, 60_000);
  });
}

describe("over SSH, a failed restart quotes only the failed release's log lines", () => {
  it("process(): 2.0.0 crashes at boot; shared/log/web.log also holds 1.0.0's run, which is left out", async () => {
    const strategy = processStrategy({ port: nextPort++, startTimeoutMs: 2_000, stopTimeoutMs: 3_000 });
    const built = await hostScenario({
      fixture: "node-app",
      kind: "broken",
      strategy,
      connection,
      env: listenEverywhere,
    });
    try {
      const log = `${built.host.root}/shared/log/web.log`;
      expect(String(await connection.readFile(log))).toContain("version 1.0.0 listening");
      const error = await restart(strategy, built.ctx).catch((e: unknown) => e);
      assert.ok(isDeployKitError(error, "E_RESTART_FAILED"), String(error));
      expect(String(error.details.log)).toContain("version 2.0.0 crashes at boot on purpose");
      expect(String(error.details.log)).not.toContain("version 1.0.0");
      expect(error.message).not.toContain("version 1.0.0");
    } finally {
      await built.stop();
    }
  }, 60_000);
});

describe("over SSH, the health gate's timeout bounds the wait for a release that never listens", () => {
  it("node(): the running launcher, HUP'd into workers that never listen, gives up at ctx.readyTimeoutMs, not at its default 30 000 ms", async () => {
    const port = nextPort++;
    // No timeout given to the strategy: only the context's readyTimeoutMs (what deploy() passes) bounds it.
    const strategy = node({ port, workers: 2, healthcheck: `http://127.0.0.1:${port}/health` });
    const built = await hostScenario({
      fixture: "node-app",
      kind: "hanging",
      strategy,
      connection,
      env: listenEverywhere,
    });
    try {
      const started = Date.now();
      const error = await restart(strategy, { ...built.ctx, readyTimeoutMs: 2_000 }).catch((e: unknown) => e);
      assert.ok(isDeployKitError(error, "E_RESTART_FAILED"), String(error));
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(error.message).toContain("not ready after 2000 ms");
      await assertAnswers(`http://${server.address}:${port}/`, "1.0.0");
    } finally {
      await built.stop();
    }
  }, 90_000);
});
