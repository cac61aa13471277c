import { deploy, isDeployKitError } from "@deploykit/core";
import { node } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText } from "./support/host";
import { deploysUnderLoad } from "./support/load";
import { type NodeAppHost, nodeAppHost } from "./support/node-app-host";

// A real Node HTTP app (test/fixtures/node-app) under node()'s cluster launcher, switched by deploy().
let host: NodeAppHost;
const strategy = () =>
  node({ port: host.port, workers: 2, timeout: 20, healthcheck: `http://127.0.0.1:${host.port}/health` });
const deployVersion = (version: string) =>
  deploy({ store: host.store, app: "web", version, root: host.root, strategy: strategy() });

beforeAll(async () => {
  host = await nodeAppHost("dk-node-");
});
afterAll(() => host.dispose(strategy()));

describe("node() cluster launcher under load", () => {
  it("5 deploys alternating versions, then a release that crashes at boot: zero errors", async () => {
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${host.port}/`)).toBe("1.0.0");
    const { served, failed } = await deploysUnderLoad(`http://127.0.0.1:${host.port}/`, deployVersion);
    expect(served).toEqual(["2.0.0", "1.0.0", "2.0.0", "1.0.0", "2.0.0", "2.0.0"]);
    expect(failed.rolledBack).toBe(true);
    expect(isDeployKitError(failed.cause, "E_RESTART_FAILED")).toBe(true);
    expect(String(failed.cause?.message)).toMatch(/exited \(3\) before it was ready/);
  }, 240_000);
});
