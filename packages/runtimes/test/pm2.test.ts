import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsStore, deploy, isDeployKitError, strategyContext } from "@deploykit/core";
import { pm2 } from "@deploykit/runtimes";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText, freePort } from "./support/host";
import { deploysUnderLoad } from "./support/load";
import { publishFixture } from "./support/releases";

// The real Node HTTP app under a real pm2 (from node_modules, private PM2_HOME) in cluster mode with wait_ready.
let work: string;
let root: string;
let port: number;
const store = () => createFsStore({ dir: join(work, "store") });
const pm2Bin = new URL("../../../node_modules/.bin/pm2", import.meta.url).pathname;
const strategy = () =>
  pm2({
    name: "web",
    bin: pm2Bin,
    home: join(work, "pm2"),
    port,
    instances: 2,
    timeout: 20,
    healthcheck: `http://127.0.0.1:${port}/health`,
  });
const deployVersion = (version: string) =>
  deploy({
    store: store(),
    app: "web",
    version,
    root,
    strategy: strategy(),
    onEvent: (event) => {
      if (process.env.DK_TEST_TRACE && event.type !== "progress")
        console.log(Date.now() % 1_000_000, JSON.stringify(event));
    },
  });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "dk-pm2-"));
  root = join(work, "host");
  port = await freePort();
  await mkdir(root, { recursive: true });
  for (const [version, crash] of [
    ["1.0.0", false],
    ["2.0.0", false],
    ["3.0.0", true],
  ] as const) {
    await publishFixture(store(), "web", "node-app", version, { crash });
  }
});

afterAll(async () => {
  const release = {
    version: "x",
    dir: join(root, "current"),
    manifest: { processes: { web: "node server.js" } } as never,
  };
  await strategy().stop?.(strategyContext({ app: "web", root, release }));
  await execa(pm2Bin, ["kill"], { env: { PM2_HOME: join(work, "pm2") }, reject: false });
  await rm(work, { recursive: true, force: true });
});

describe("pm2() with real pm2 under load", () => {
  it("5 deploys alternating versions, then a release that crashes at boot: zero errors", async () => {
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
    const { served, failed } = await deploysUnderLoad(`http://127.0.0.1:${port}/`, deployVersion);
    expect(served).toEqual(["2.0.0", "1.0.0", "2.0.0", "1.0.0", "2.0.0", "2.0.0"]);
    expect(failed.rolledBack).toBe(true);
    expect(isDeployKitError(failed.cause, "E_RESTART_FAILED")).toBe(true);
    expect(String(failed.cause?.message)).toMatch(/canary of 3.0.0 did not come online/);
  }, 240_000);
});
