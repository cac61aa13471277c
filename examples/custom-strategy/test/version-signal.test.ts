import { restart } from "@deploykit/core";
import {
  createFakeClock,
  createFakeProcessTable,
  type RuntimeHarness,
  runtimeContractCases,
} from "@deploykit/runtimes/testing";
import { describe, expect, it } from "vitest";
import { startExampleHost } from "../host.mjs";
import { versionSignal } from "../version-signal.mjs";

// 1. The contract kit against fakes: a fake process table, a fake clock, and a probe that
//    answers whatever version the fake app is on. Runs in milliseconds.
const fakes: RuntimeHarness = {
  async setup(kind) {
    const processes = createFakeProcessTable(kind === "broken" ? [] : [4242]);
    processes.pidFiles.set("/srv/app.pid", 4242);
    let serving = "1.0.0";
    processes.onSignal = (_pid, signal) => {
      if (signal === "SIGUSR2" && kind === "healthy") serving = "2.0.0";
    };
    const probe = { get: async () => ({ status: 200, body: `${serving}\n` }) };
    const release = { version: "2.0.0", dir: "/srv/releases/2.0.0", manifest: {} as never };
    return {
      strategy: versionSignal({ pidFile: "/srv/app.pid", url: "http://app/", timeoutMs: 5_000 }),
      ctx: { app: "example", root: "/srv", release, processes, probe, clock: createFakeClock() },
      timeoutMs: 5_000,
      assertServing: async () => expect(serving).toBe("2.0.0"),
      assertSurvived: async () => expect(serving).toBe("1.0.0"),
    };
  },
};

describe("versionSignal passes the runtime contract (fakes)", () => {
  for (const contract of runtimeContractCases(fakes)) it(contract.name, contract.run);
});

// 2. The same strategy against the real app.
describe("versionSignal against the real example app", () => {
  it("switches the served version", async () => {
    const host = await startExampleHost();
    try {
      const v2 = await host.release("2.0.0");
      await restart(versionSignal({ pidFile: host.pidFile, url: host.url }), {
        app: "example",
        root: host.root,
        release: v2,
      });
      expect((await (await fetch(host.url)).text()).trim()).toBe("2.0.0");
    } finally {
      await host.stop();
    }
  });
});
