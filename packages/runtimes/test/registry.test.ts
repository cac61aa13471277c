import type { DeployEvent, StrategyContext } from "@deploykit/core";
import { isDeployKitError } from "@deploykit/core";
import {
  createStrategy,
  STRATEGY_OPTION_KEYS,
  type StrategySpec,
  strategyNames,
  strategyOptionsFromFlags,
} from "@deploykit/runtimes";
import { describe, expect, it } from "vitest";

describe("createStrategy()", () => {
  it("builds every built-in strategy by name, with its options", () => {
    expect(strategyNames).toHaveLength(10);
    expect(createStrategy({ strategy: "unicorn", pidFile: "/srv/unicorn.pid" }).name).toBe("unicorn");
    expect(createStrategy({ strategy: "systemd", unit: "web.service" }).name).toBe("systemd");
    expect(createStrategy({ strategy: "command", restart: "true", name: "touch" }).name).toBe("touch");
  });

  it("refuses an unknown name and bad options before anything runs", () => {
    const unknown = (() => {
      try {
        createStrategy({ strategy: "passenger" } as never);
      } catch (error) {
        return error;
      }
    })();
    expect(isDeployKitError(unknown, "E_INVALID_INPUT")).toBe(true);
    expect((unknown as { hint: string }).hint).toContain("unicorn");
    expect(() => createStrategy({ strategy: "unicorn", mode: "restart" as never })).toThrow(/mode/);
  });

  const thrown = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error as { code: string; message: string; hint: string };
    }
    throw new Error("expected a throw");
  };

  it("refuses an option the strategy does not have, listing the valid ones", () => {
    const error = thrown(() => createStrategy({ strategy: "command", restart: "true", workers: 2 } as never));
    expect(error.code).toBe("E_INVALID_INPUT");
    expect(error.message).toContain("workers");
    expect(error.hint).toContain(STRATEGY_OPTION_KEYS.command.join(", "));
  });

  it("takes durations in ms; the old seconds names convert, warn on restart, and never mix", async () => {
    const events: DeployEvent[] = [];
    const strategy = createStrategy({ strategy: "command", restart: "true", timeout: 10 } as never);
    await strategy.restart({
      app: "web",
      root: "/nonexistent",
      release: { version: "1.0.0", dir: "/", manifest: { processes: {} } },
      onEvent: (event: DeployEvent) => events.push(event),
      runner: { run: async () => ({ exitCode: 0, stdout: "", stderr: "" }) },
    } as unknown as StrategyContext);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "warning",
        message: expect.stringContaining('use "timeoutMs": 10000'),
      }),
    );
    expect(
      thrown(() => createStrategy({ strategy: "unicorn", timeout: 5, timeoutMs: 5000 })).message,
    ).toContain("not both");
    expect(createStrategy({ strategy: "sidekiq", timeoutMs: 8000, startTimeoutMs: 4000 }).name).toBe(
      "sidekiq",
    );
  });

  it("carries its settings as JSON and rebuilds itself from recorded ones; deprecated options keep preflight", () => {
    // As a config file gives it: the deprecated `startTimeout` (s) is not in ProcessOptions' type.
    const strategy = createStrategy({ strategy: "process", port: 5000, startTimeout: 3 } as StrategySpec);
    expect(strategy.settings).toEqual({ strategy: "process", port: 5000, startTimeoutMs: 3000 });
    expect(typeof strategy.preflight).toBe("function");
    expect(strategy.healthcheckUrl).toBe(createStrategy({ strategy: "process", port: 5000 }).healthcheckUrl);
    const asBefore = strategy.withSettings?.({ strategy: "process", port: 4000 });
    expect(asBefore?.settings).toEqual({ strategy: "process", port: 4000 });
    expect(asBefore?.name).toBe("process");
  });

  it.each([
    { strategy: "process", port: 99_999 },
    { strategy: "node", port: 0 },
    { strategy: "pm2", name: "web", port: 3000.5 },
  ])("refuses $strategy with port $port before anything runs", (spec) => {
    const error = thrown(() => createStrategy(spec as StrategySpec));
    expect(error.code).toBe("E_INVALID_INPUT");
    expect(error.message).toContain("port must be a TCP port");
  });

  it("translates one set of command-line flags into each strategy's option names", () => {
    expect(strategyOptionsFromFlags("command", { command: "make restart", timeoutMs: 5 })).toEqual({
      restart: "make restart",
      timeoutMs: 5,
    });
    expect(strategyOptionsFromFlags("systemd", { service: "web.service" })).toEqual({ unit: "web.service" });
    expect(strategyOptionsFromFlags("process", { processName: "worker" })).toEqual({ name: "worker" });
  });
});
