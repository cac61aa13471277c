import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsStore, deploy, isDeployKitError, strategyContext } from "@deploykit/core";
import { node } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText, freePort } from "./support/host";
import { deploysUnderLoad } from "./support/load";
import { publishFixture } from "./support/releases";

// A real Node HTTP app (test/fixtures/node-app) under node()'s cluster launcher, switched by deploy().
let work: string;
let root: string;
let port: number;
const store = () => createFsStore({ dir: join(work, "store") });
const strategy = () =>
  node({ port, workers: 2, timeout: 20, healthcheck: `http://127.0.0.1:${port}/health` });
const deployVersion = (version: string) =>
  deploy({ store: store(), app: "web", version, root, strategy: strategy() });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "dk-node-"));
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
  await rm(work, { recursive: true, force: true });
});

describe("node() cluster launcher under load", () => {
  it("5 deploys alternating versions, then a release that crashes at boot: zero errors", async () => {
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
    const { served, failed } = await deploysUnderLoad(`http://127.0.0.1:${port}/`, deployVersion);
    expect(served).toEqual(["2.0.0", "1.0.0", "2.0.0", "1.0.0", "2.0.0", "2.0.0"]);
    expect(failed.rolledBack).toBe(true);
    expect(isDeployKitError(failed.cause, "E_RESTART_FAILED")).toBe(true);
    expect(String(failed.cause?.message)).toMatch(/exited \(3\) before it was ready/);
  }, 240_000);
});
