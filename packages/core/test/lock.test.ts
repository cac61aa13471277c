import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { type DeployEvent, deploy, install, isDeployKitError, publish, restartLive } from "@deploykit/core";
import { createMemoryStore } from "@deploykit/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { makePackage, tempDir } from "./support/package";

let cleanup: (() => Promise<void>) | undefined;
afterEach(() => cleanup?.());

async function host() {
  const tmp = await tempDir("dk-lock-");
  cleanup = tmp.cleanup;
  const store = createMemoryStore();
  await publish(await makePackage(tmp.dir, "web", "1.0.0", { "server.js": "v1" }), { store });
  return { store, root: join(tmp.dir, "host") };
}

describe("deploy lock", () => {
  it("a second concurrent deploy is E_LOCKED naming the holder; a restart refuses too, or waits with lockTimeoutMs", async () => {
    const { store, root } = await host();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const restarting = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow = {
      name: "slow",
      async restart() {
        started();
        await held;
        return { strategy: "slow" };
      },
    };
    const first = deploy({ store, app: "web", version: "1.0.0", root, strategy: slow });
    await restarting;
    const second = await install({ store, app: "web", version: "1.0.0", root }).catch((e) => e);
    expect(isDeployKitError(second, "E_LOCKED")).toBe(true);
    expect(second.message).toContain(`pid ${process.pid} on ${hostname()}`);
    const restarted: string[] = [];
    const quick = {
      name: "quick",
      async restart() {
        restarted.push("quick");
        return { strategy: "quick" };
      },
    };
    await expect(restartLive({ root, strategy: quick })).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_LOCKED"),
    );
    const waiting = restartLive({ root, strategy: quick, lockTimeoutMs: 30_000 });
    expect(restarted).toEqual([]);
    release();
    await first;
    await expect(waiting).resolves.toMatchObject({ strategy: "quick", version: "1.0.0" });
    expect(restarted).toEqual(["quick"]);
    await expect(install({ store, app: "web", version: "1.0.0", root })).resolves.toMatchObject({
      unchanged: true,
    });
  });

  it("a lock left by a dead process on this host is taken over with a warning", async () => {
    const { store, root } = await host();
    const dead = spawnSync(process.execPath, ["-e", "process.pid"]).pid as number;
    await mkdir(join(root, ".deploykit"), { recursive: true });
    await writeFile(
      join(root, ".deploykit", "lock"),
      JSON.stringify({ pid: dead, host: hostname(), since: "2020-01-01T00:00:00.000Z", token: "old" }),
    );
    const events: DeployEvent[] = [];
    await install({ store, app: "web", version: "1.0.0", root, onEvent: (e) => events.push(e) });
    expect(
      events
        .filter((e) => e.type === "warning")
        .map((e) => (e as { message: string }).message)
        .join(),
    ).toContain(`pid ${dead}`);
  });

  it("a lock held by a live process is respected even when old", async () => {
    const { store, root } = await host();
    await mkdir(join(root, ".deploykit"), { recursive: true });
    await writeFile(
      join(root, ".deploykit", "lock"),
      JSON.stringify({
        pid: process.ppid,
        host: hostname(),
        since: "2020-01-01T00:00:00.000Z",
        token: "other",
      }),
    );
    await expect(install({ store, app: "web", version: "1.0.0", root })).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_LOCKED"),
    );
  });
});
