import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeployKitError, type RuntimeStrategy, restart, strategyContext } from "@deploykit/core";
import { process as processStrategy } from "@deploykit/runtimes";
import { afterEach, describe, expect, it } from "vitest";
import { createTestHost, fetchText, freePort, type TestHost } from "./support/host";

let host: TestHost | undefined;
let strategy: RuntimeStrategy | undefined;
let current: Parameters<typeof restart>[1] | undefined;

afterEach(async () => {
  if (strategy?.stop && current) await strategy.stop(strategyContext(current)).catch(() => {});
  await host?.remove();
  host = strategy = current = undefined;
});

describe("process()", () => {
  it("starts, restarts onto the new release, reports status, and stops (real node app)", async () => {
    host = await createTestHost("node-app");
    const port = await freePort();
    const web = processStrategy({ port, stopTimeoutMs: 5_000 });
    strategy = web;
    const v1 = await host.addRelease("1.0.0");
    await host.activate(v1);
    current = { app: "web", root: host.root, release: v1 };
    const first = await restart(web, current);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
    const pidFile = join(host.root, "shared/tmp/pids/web.pid");
    expect(Number(await readFile(pidFile, "utf8"))).toBe(first.pids?.[0]);

    const v2 = await host.addRelease("2.0.0");
    await host.activate(v2);
    current = { app: "web", root: host.root, release: v2, previous: v1 };
    const second = await restart(web, current);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("2.0.0");
    expect(second.details?.previousPid).toBe(first.pids?.[0]);
    expect(second.details?.killed).toBe(false);
    expect(await web.status?.(strategyContext(current))).toEqual({ running: true, pids: second.pids });
    await web.stop?.(strategyContext(current));
    expect((await web.status?.(strategyContext(current)))?.running).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBeUndefined();
    const log = await readFile(join(host.root, "shared/log/web.log"), "utf8");
    expect(log).toContain("version 1.0.0 listening");
    expect(log).toContain("version 2.0.0 listening");
  });

  it("a release that crashes at boot is E_RESTART_FAILED with the log tail", async () => {
    host = await createTestHost("node-app");
    const port = await freePort();
    const failing = processStrategy({ port });
    strategy = failing;
    const bad = await host.addRelease("3.0.0", { crash: true });
    current = { app: "web", root: host.root, release: bad };
    const error = await restart(failing, current).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_RESTART_FAILED")).toBe(true);
    expect(String((error as { details: { log: string } }).details.log)).toContain("crashes at boot");
    // Issue 12 item 6: the early exit and its log tail are in the message (the human output).
    expect((error as Error).message).toMatch(/exited with code 3 before it was ready/);
    expect((error as Error).message).toContain("crashes at boot on purpose");
  });

  it("KILLs a process that ignores TERM only after stopTimeoutMs", async () => {
    host = await createTestHost("node-app");
    const release = await host.addRelease("1.0.0", {
      processes: { worker: "trap '' TERM; touch trap-set; while :; do sleep 0.05; done" },
    });
    const worker = processStrategy({ name: "worker", stopTimeoutMs: 400 });
    strategy = worker;
    current = { app: "web", root: host.root, release };
    await restart(worker, current);
    // TERM must not arrive before the shell has set its trap.
    await expect.poll(() => existsSync(join(release.dir, "trap-set")), { timeout: 10_000 }).toBe(true);
    const started = Date.now();
    const again = await restart(worker, current);
    expect(again.details?.killed).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it("refuses a missing process type before touching anything", async () => {
    host = await createTestHost("node-app");
    const release = await host.addRelease("1.0.0");
    const error = await restart(processStrategy({ name: "nope" }), {
      app: "web",
      root: host.root,
      release,
    }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_INVALID_INPUT")).toBe(true);
  });
});
