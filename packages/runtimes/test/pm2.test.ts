import { join } from "node:path";
import { deploy, isDeployKitError } from "@deploykit/core";
import { pm2 } from "@deploykit/runtimes";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText } from "./support/host";
import { deploysUnderLoad } from "./support/load";
import { type NodeAppHost, nodeAppHost } from "./support/node-app-host";

// The real Node HTTP app under a real pm2 (from node_modules, private PM2_HOME) in cluster mode with wait_ready.
let host: NodeAppHost;
const pm2Bin = new URL("../../../node_modules/.bin/pm2", import.meta.url).pathname;
const pm2Home = () => join(host.work, "pm2");
const strategy = () =>
  pm2({
    name: "web",
    bin: pm2Bin,
    home: pm2Home(),
    port: host.port,
    instances: 2,
    timeout: 20,
    healthcheck: `http://127.0.0.1:${host.port}/health`,
  });
const deployVersion = (version: string) =>
  deploy({ store: host.store, app: "web", version, root: host.root, strategy: strategy() });

beforeAll(async () => {
  host = await nodeAppHost("dk-pm2-");
});
afterAll(() =>
  host.dispose(strategy(), () => execa(pm2Bin, ["kill"], { env: { PM2_HOME: pm2Home() }, reject: false })),
);

describe("pm2() with real pm2 under load", () => {
  it("5 deploys alternating versions, then a release that crashes at boot: zero errors", async () => {
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${host.port}/`)).toBe("1.0.0");
    const { served, failed } = await deploysUnderLoad(`http://127.0.0.1:${host.port}/`, deployVersion);
    expect(served).toEqual(["2.0.0", "1.0.0", "2.0.0", "1.0.0", "2.0.0", "2.0.0"]);
    expect(failed.rolledBack).toBe(true);
    expect(isDeployKitError(failed.cause, "E_RESTART_FAILED")).toBe(true);
    expect(String(failed.cause?.message)).toMatch(/canary of 3.0.0 did not come online/);
  }, 240_000);
});
