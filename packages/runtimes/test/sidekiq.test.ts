import { mkdir, mkdtemp, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsStore, type DeployResult, deploy, strategyContext } from "@deploykit/core";
import { sidekiq } from "@deploykit/runtimes";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { fixture } from "./support/host";
import { startRedis, type TestRedis } from "./support/redis";
import { publishFixture } from "./support/releases";

// Real Debian sidekiq 6.4 + redis-server, test/fixtures/sidekiq-app, releases switched by deploy().
let work: string;
let root: string;
let redis: TestRedis;
const TIMEOUT = 10;
const store = () => createFsStore({ dir: join(work, "store") });
const strategy = () =>
  sidekiq({
    timeout: TIMEOUT,
    startCommand: ["sidekiq", "-r", "./worker.rb", "-c", "25", "-t", String(TIMEOUT)],
  });
const deployVersion = (version: string) =>
  deploy({ store: store(), app: "jobs", version, root, strategy: strategy(), env: { REDIS_URL: redis.url } });
const enqueue = (count: number) =>
  execa("ruby", [join(fixture("sidekiq-app"), "enqueue.rb"), String(count)], {
    env: { REDIS_URL: redis.url },
  });
const livePid = async () =>
  Number(
    await import("node:fs/promises").then((fs) =>
      fs.readFile(join(root, "shared/tmp/pids/sidekiq.pid"), "utf8"),
    ),
  );
const waitForDone = async (count: number, seconds: number) => {
  await eventually(`${count} jobs done`, async () => Number(await redis.cli("llen", "done")) >= count, {
    timeoutMs: seconds * 1000,
    intervalMs: 250,
  }).catch(() => undefined); // the caller asserts on the jobs that did get done
  return (await redis.cli("lrange", "done", "0", "-1")).split("\n").filter(Boolean);
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "dk-sidekiq-"));
  root = join(work, "host");
  await mkdir(root, { recursive: true });
  redis = await startRedis();
  for (const version of ["1.0.0", "2.0.0", "3.0.0", "4.0.0", "5.0.0"]) {
    await publishFixture(store(), "jobs", "sidekiq-app", version, {
      crash: version === "5.0.0",
      processes: {},
    });
  }
});

afterAll(async () => {
  const release = { version: "x", dir: join(root, "current"), manifest: {} as never };
  await strategy().stop?.(strategyContext({ app: "jobs", root, release }));
  await redis?.stop();
  await rm(work, { recursive: true, force: true });
});

describe("sidekiq() with real sidekiq + redis", () => {
  it("200 jobs of 1-3 s across 3 deploys: none lost, none KILLed, the last process runs the new release", async () => {
    const first = await deployVersion("1.0.0");
    expect(first.rolledBack).toBe(false);
    await enqueue(200);
    const results: DeployResult[] = [];
    for (const version of ["2.0.0", "3.0.0", "4.0.0"]) results.push(await deployVersion(version));
    for (const result of results) {
      expect(result.rolledBack, String(result.cause?.message)).toBe(false);
      expect(result.restart?.details?.killed).toBe(false);
      expect(result.restart?.details?.seen).toContainEqual(expect.stringMatching(/^TSTP sent/));
    }
    const done = await waitForDone(200, 120);
    const ids = new Set(done.map((line) => line.split(" ")[0]));
    expect(ids.size).toBe(200);
    expect(new Set(done.map((line) => line.split(" ")[1])).size).toBeGreaterThan(1);
    const pid = await livePid();
    expect(await readlink(`/proc/${pid}/cwd`)).toBe(join(root, "releases", "4.0.0"));
  }, 240_000);

  it("a release that fails at boot rolls back and leaves a sidekiq that still takes jobs", async () => {
    const before = await livePid();
    const failed = await deployVersion("5.0.0");
    expect(failed.rolledBack).toBe(true);
    expect(failed.cause?.code).toBe("E_RESTART_FAILED");
    expect(String(failed.cause?.details.log)).toContain("crashes at boot on purpose");
    const pid = await livePid();
    expect(pid).not.toBe(before);
    expect(await readlink(`/proc/${pid}/cwd`)).toBe(join(root, "releases", "4.0.0"));
    await redis.cli("del", "done");
    await enqueue(5);
    expect(await waitForDone(5, 60)).toHaveLength(5);
  }, 240_000);
});
