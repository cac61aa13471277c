import { readlink } from "node:fs/promises";
import { join } from "node:path";
import {
  deploy,
  isDeployKitError,
  listInstalled,
  publish,
  type RuntimeStrategy,
  rollback,
} from "@deploykit/core";
import { createMemoryStore } from "@deploykit/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { childStrategy, server } from "./support/child-strategy";
import { makePackage, tempDir } from "./support/package";

let cleanup: (() => Promise<void>) | undefined;
afterEach(() => cleanup?.());

describe("deploy with a health gate", () => {
  it("a failing health gate rolls back automatically and the old release answers again", async () => {
    const tmp = await tempDir("dk-deploy-");
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const strategy = childStrategy(port);
    cleanup = async () => {
      await strategy.stopAll();
      await tmp.cleanup();
    };
    const store = createMemoryStore();
    await publish(await makePackage(tmp.dir, "web", "1.0.0", { "server.js": server("1.0.0") }), { store });
    await publish(await makePackage(tmp.dir, "web", "2.0.0", { "server.js": server("2.0.0", false) }), {
      store,
    });
    const root = join(tmp.dir, "host");
    const healthcheck = { url: `http://127.0.0.1:${port}/health`, timeoutMs: 5_000, intervalMs: 50 };

    const first = await deploy({ store, app: "web", version: "1.0.0", root, strategy, healthcheck });
    expect(first.rolledBack).toBe(false);

    const second = await deploy({
      store,
      app: "web",
      version: "2.0.0",
      root,
      strategy,
      healthcheck: { ...healthcheck, timeoutMs: 1_000 },
    });
    expect(second.rolledBack).toBe(true);
    expect(second.release.version).toBe("1.0.0");
    expect(second.previous?.version).toBe("2.0.0");
    expect(isDeployKitError(second.cause, "E_HEALTHCHECK")).toBe(true);
    const answer = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: "close" } });
    expect(await answer.text()).toBe("1.0.0");

    // The failed release is not "previous": a plain rollback has nothing to go back to.
    await expect(rollback({ root })).rejects.toSatisfy((e) => isDeployKitError(e, "E_NO_PREVIOUS_RELEASE"));
  });

  it("a strategy that throws rolls back too, and a rollback through the strategy restarts the old release", async () => {
    const tmp = await tempDir("dk-deploy-");
    cleanup = tmp.cleanup;
    const store = createMemoryStore();
    for (const v of ["1.0.0", "2.0.0", "3.0.0"])
      await publish(await makePackage(tmp.dir, "web", v, { "server.js": v }), { store });
    const root = join(tmp.dir, "host");
    const restarted: string[] = [];
    const strategy: RuntimeStrategy = {
      name: "picky",
      async restart(ctx) {
        restarted.push(ctx.release.version);
        if (ctx.release.version === "3.0.0") throw new Error("boot failed");
        return { strategy: "picky" };
      },
    };
    await deploy({ store, app: "web", version: "1.0.0", root, strategy });
    await deploy({ store, app: "web", version: "2.0.0", root, strategy });
    const failed = await deploy({ store, app: "web", version: "3.0.0", root, strategy });
    expect(failed.rolledBack).toBe(true);
    expect(failed.cause?.code).toBe("E_RESTART_FAILED");
    expect(restarted).toEqual(["1.0.0", "2.0.0", "3.0.0", "2.0.0"]);
    const back = await rollback({ root, strategy });
    expect(back.release.version).toBe("1.0.0");
    expect(restarted.at(-1)).toBe("1.0.0");
  });
});

describe("an abort during a deploy", () => {
  it("after the switch but before the restart: current and state.json go back to the release that still runs", async () => {
    const tmp = await tempDir("dk-deploy-abort-");
    cleanup = tmp.cleanup;
    const store = createMemoryStore();
    for (const v of ["1.0.0", "2.0.0"])
      await publish(await makePackage(tmp.dir, "web", v, { "server.js": `v${v}` }), { store });
    const root = join(tmp.dir, "host");
    const restarted: string[] = [];
    const strategy: RuntimeStrategy = {
      name: "recording",
      async restart(ctx) {
        restarted.push(ctx.release.version);
        return { strategy: "recording" };
      },
    };
    await deploy({ store, app: "web", version: "1.0.0", root, strategy });
    const controller = new AbortController();
    const aborted = await deploy({
      store,
      app: "web",
      version: "2.0.0",
      root,
      strategy,
      signal: controller.signal,
      // Ctrl-C right after the switch to 2.0.0, before its restart.
      onEvent: (e) => e.type === "step:finish" && e.step === "switch" && controller.abort(),
    }).catch((e) => e);
    expect(isDeployKitError(aborted, "E_ABORTED")).toBe(true);
    expect(restarted).toEqual(["1.0.0"]);
    expect(await readlink(join(root, "current"))).toBe(join("releases", "1.0.0"));
    expect((await listInstalled(root)).current).toBe("1.0.0");
  });
});
