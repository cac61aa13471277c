import { deploy, isDeployKitError } from "@deploykit/core";
import { node } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText } from "./support/host";
import { startLoad } from "./support/load";
import { type NodeAppHost, nodeAppHost } from "./support/node-app-host";
import { publishFixture } from "./support/releases";

// Issue 17, input 3: an app that listens at once but answers 500 for its first 3 s. The launcher
// used to retire the old workers as soon as the new ones listened (255,216 of 440,210 answers
// were 500); now a new worker joins the shared socket only once its health URL answers 2xx.
let host: NodeAppHost;
const strategy = () =>
  node({
    port: host.port,
    workers: 2,
    timeoutMs: 8_000,
    healthcheck: `http://127.0.0.1:${host.port}/health`,
  });
const deployVersion = (version: string) =>
  deploy({ store: host.store, app: "web", version, root: host.root, strategy: strategy() });

beforeAll(async () => {
  host = await nodeAppHost("dk-node-warmup-", { warmupMs: 3_000 });
  await publishFixture(host.store, "web", "node-app", "4.0.0", { warmupMs: 600_000 });
});
afterAll(() => host.dispose(strategy()));

describe("node(): readiness before retirement", () => {
  it("an app answering 500 for its first 3 s: 0 non-2xx across 3 deploys under load; a never-healthy one rolls back", async () => {
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    const url = `http://127.0.0.1:${host.port}/`;
    expect(await fetchText(url)).toBe("1.0.0");
    const load = await startLoad(url, 50);
    try {
      for (const version of ["2.0.0", "1.0.0", "2.0.0"]) {
        const result = await deployVersion(version);
        expect(result.rolledBack, String(result.cause?.message)).toBe(false);
        expect(await fetchText(url)).toBe(version);
      }
      const never = await deployVersion("4.0.0");
      expect(never.rolledBack).toBe(true);
      expect(isDeployKitError(never.cause, "E_RESTART_FAILED")).toBe(true);
      expect(String(never.cause?.message)).toMatch(
        /not ready after 8000 ms \(health check: GET \/health answered HTTP 500\)/,
      );
      expect(await fetchText(url)).toBe("2.0.0");
    } finally {
      const figures = await load.stop();
      expect(figures.requests).toBeGreaterThan(1_000);
      expect(figures).toMatchObject({ errors: 0, non2xx: 0 });
    }
  }, 180_000);
});
