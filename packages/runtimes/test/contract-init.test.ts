import assert from "node:assert/strict";
import type { RuntimeStrategy } from "@deploykit/core";
import { sidekiq, systemd, sysv, upstart } from "@deploykit/runtimes";
import {
  createFakeClock,
  createFakeProcessTable,
  createRecordingRunner,
  type RecordedCall,
  type RuntimeHarness,
  runtimeContractCases,
} from "@deploykit/runtimes/testing";
import { describe, expect, it } from "vitest";

// systemd, upstart and sysv cannot run in this sandbox (no init system we may drive), so their
// contract runs use core's recording runner as a scripted init system, with the fake clock and
// process table. What is proven here is the strategies' logic (commands run, states polled,
// timeout and abort honoured), not the init systems themselves.

type Answer = (call: RecordedCall) => { exitCode?: number; stdout?: string };

interface InitScript {
  strategy: (timeout: number) => RuntimeStrategy;
  /** How the scripted init system answers in each scenario. */
  answers: Record<"healthy" | "broken" | "hanging", Answer>;
  /** The restart command the strategy must run. */
  restartCall: string;
  /** How long the strategy waits for the service with timeout 5 (default 5 000 ms). */
  waitsMs?: number;
}

const inits: Record<string, InitScript> = {
  systemd: {
    strategy: (timeout) => systemd({ unit: "web.service", timeout }),
    restartCall: "systemctl restart web.service",
    answers: {
      healthy: (c) =>
        c.args[0] === "is-active" ? { stdout: "active\n" } : c.args[0] === "show" ? { stdout: "4242\n" } : {},
      broken: (c) => (c.args[0] === "restart" ? { exitCode: 1 } : { stdout: "failed\n", exitCode: 3 }),
      hanging: (c) => (c.args[0] === "is-active" ? { stdout: "activating\n", exitCode: 3 } : {}),
    },
  },
  upstart: {
    strategy: (timeout) => upstart({ job: "web", timeout }),
    restartCall: "initctl restart web",
    answers: {
      healthy: (c) => (c.args[0] === "status" ? { stdout: "web start/running, process 4242\n" } : {}),
      broken: (c) => (c.args[0] === "status" ? { stdout: "web stop/waiting\n" } : { exitCode: 1 }),
      hanging: (c) => (c.args[0] === "status" ? { stdout: "web start/spawned, process 4242\n" } : {}),
    },
  },
  "sidekiq({ service })": {
    strategy: (timeout) => sidekiq({ service: "sidekiq.service", timeout }),
    // systemd may take TimeoutStopSec (>= timeout + 5 s) to stop sidekiq, plus a minute to start it.
    waitsMs: 70_000,
    restartCall: "systemctl restart sidekiq.service",
    answers: {
      healthy: (c) =>
        c.args[0] === "is-active" ? { stdout: "active\n" } : c.args[0] === "show" ? { stdout: "4242\n" } : {},
      broken: (c) =>
        c.args[0] === "restart"
          ? { exitCode: 1 }
          : c.args[0] === "kill"
            ? {}
            : { stdout: "failed\n", exitCode: 3 },
      hanging: (c) => (c.args[0] === "is-active" ? { stdout: "activating\n", exitCode: 3 } : {}),
    },
  },
  sysv: {
    strategy: (timeout) => sysv({ service: "web", timeout }),
    restartCall: "/etc/init.d/web restart",
    answers: {
      healthy: () => ({}),
      broken: (c) => (c.args[0] === "restart" ? { exitCode: 1, stdout: "failed" } : { exitCode: 3 }),
      hanging: (c) => (c.args[0] === "status" ? { exitCode: 4 } : {}),
    },
  },
};

const line = (call: RecordedCall) => [call.command, ...call.args].join(" ");

function harnessFor(init: InitScript): RuntimeHarness {
  return {
    async setup(kind) {
      const runner = createRecordingRunner();
      runner.respond = init.answers[kind];
      const clock = createFakeClock(1_000_000);
      const release = { version: "2.0.0", dir: "/srv/web/releases/2.0.0", manifest: {} as never };
      return {
        strategy: init.strategy(5),
        ctx: { app: "web", root: "/srv/web", release, runner, clock, processes: createFakeProcessTable() },
        timeoutMs: init.waitsMs ?? 5_000,
        assertServing: async () =>
          assert.ok(
            runner.calls.some((c) => line(c) === init.restartCall),
            "no restart call",
          ),
        assertSurvived: async () =>
          assert.ok(
            runner.calls.filter((c) => line(c) === init.restartCall).length <= 1,
            "restarted more than once",
          ),
      };
    },
  };
}

for (const [name, init] of Object.entries(inits)) {
  describe(`${name.includes("(") ? name : `${name}()`} passes the runtime contract (recording runner as the init system)`, () => {
    for (const contract of runtimeContractCases(harnessFor(init))) it(contract.name, contract.run);
  });
}

describe("init strategies, details", () => {
  it("upstart starts a job that was not running when restart fails", async () => {
    const runner = createRecordingRunner();
    runner.respond = (c) =>
      c.args[0] === "restart"
        ? { exitCode: 1 }
        : c.args[0] === "status"
          ? { stdout: "web start/running, process 7\n" }
          : {};
    const { restart } = await import("@deploykit/core");
    const release = { version: "1", dir: "/srv", manifest: {} as never };
    const result = await restart(upstart({ job: "web" }), {
      app: "web",
      root: "/srv",
      release,
      runner,
      clock: createFakeClock(),
    });
    expect(runner.calls.map(line)).toEqual([
      "initctl restart web",
      "initctl start web",
      "initctl status web",
    ]);
    expect(result.pids).toEqual([7]);
  });

  it("systemd --user and reload go to systemctl as asked; bad unit names are refused", async () => {
    const runner = createRecordingRunner();
    runner.respond = (c) => (c.args.includes("is-active") ? { stdout: "active" } : { stdout: "0" });
    const { restart } = await import("@deploykit/core");
    const release = { version: "1", dir: "/srv", manifest: {} as never };
    await restart(systemd({ unit: "web", user: true, action: "reload" }), {
      app: "web",
      root: "/srv",
      release,
      runner,
      clock: createFakeClock(),
    });
    expect(line(runner.calls[0] as RecordedCall)).toBe("systemctl --user reload web");
    expect(() => systemd({ unit: "web; rm -rf /" })).toThrow(/unit name/);
  });
});
