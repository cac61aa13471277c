// Issue 12 item 1: every strategy starts its process the way Heroku does (HOME = app dir,
// .profile.d sourced, PORT, env). The releases are built by a fixture buildpack that puts its
// vendored commands (dk-node, dk-unicorn, dk-sidekiq) on PATH only through .profile.d, so a
// process started bare fails with "dk-...: not found". Real node, unicorn, sidekiq + redis.
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createFsStore,
  createHttpProbe,
  type DeployOptions,
  deploy,
  liveRelease,
  probeHealth,
  type RuntimeStrategy,
  runProcess,
  strategyContext,
} from "@deploykit/core";
import { process as processStrategy, sidekiq, unicorn } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText, fixture, freePort } from "./support/host";
import { startRedis, type TestRedis } from "./support/redis";
import { publishFixture, vendoringBuildpack } from "./support/releases";

// Ports on the fetch spec's bad-port list (issue 12 item 2); the first one free here is used.
const BAD_PORTS = [6000, 6665, 6666, 6667, 6668, 6669, 5060, 10080, 6697];
async function badPort(): Promise<number> {
  for (const port of BAD_PORTS) {
    const free = await new Promise<boolean>((done) => {
      const server = createServer().once("error", () => done(false));
      server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error(`none of ${BAD_PORTS.join(", ")} is free`);
}
const get = async (port: number) =>
  (await probeHealth(createHttpProbe(), `http://127.0.0.1:${port}/`)).body.trim();

let work: string;
let redis: TestRedis;
const started: { strategy: RuntimeStrategy; root: string; app: string }[] = [];
const store = () => createFsStore({ dir: join(work, "store") });

async function deployed(app: string, strategy: RuntimeStrategy, extra: Partial<DeployOptions> = {}) {
  const root = join(work, app);
  started.push({ strategy, root, app });
  const result = await deploy({ store: store(), app, version: "1.0.0", root, strategy, ...extra });
  expect(result.rolledBack).toBe(false);
  return root;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "dk-procfile-launch-"));
  redis = await startRedis();
  const built = { buildpack: vendoringBuildpack };
  await publishFixture(store(), "web", "node-app", "1.0.0", {
    ...built,
    processes: { web: "dk-node server.js" },
  });
  await publishFixture(store(), "rack", "rack-app", "1.0.0", { ...built, processes: {} });
  await publishFixture(store(), "jobs", "sidekiq-app", "1.0.0", { ...built, processes: {} });
});

afterAll(async () => {
  for (const { strategy, root, app } of started) {
    // The live release's real manifest: the strategy checks the pid file against its Procfile line.
    const live = await liveRelease(root).catch(() => undefined);
    if (live) await strategy.stop?.(strategyContext({ app, root, release: live.release }));
  }
  await redis?.stop();
  await rm(work, { recursive: true, force: true });
});

describe("Procfile processes start with the buildpack's environment", { timeout: 90_000 }, () => {
  it("process(): `web: dk-node server.js` on a port fetch refuses serves and passes the gate; runProcess() sees HOME, PORT and the profile", async () => {
    const port = await badPort();
    const root = await deployed("web", processStrategy({ port }), {
      healthcheck: `http://127.0.0.1:${port}/health`,
      env: { GREETING: "it's set" },
    });
    expect(await get(port)).toBe("1.0.0");
    const ran = await runProcess({
      root,
      command: [
        "dk-node",
        "-p",
        "JSON.stringify([process.env.HOME, process.env.PORT, process.env.GREETING, process.cwd()])",
      ],
      port: 4321,
      env: { GREETING: "it's set" },
    });
    const release = join(root, "releases", "1.0.0");
    expect(JSON.parse(ran.stdout)).toEqual([release, "4321", "it's set", release]);
  });

  it("unicorn(): the start command `dk-unicorn ...` serves", async () => {
    const port = await freePort();
    const app = "rack";
    const root = join(work, app);
    await mkdir(join(root, "shared"), { recursive: true });
    await copyFile(join(fixture("rack-app"), "unicorn.rb"), join(root, "shared", "unicorn.rb"));
    const strategy = unicorn({
      healthcheck: `http://127.0.0.1:${port}/health`,
      timeout: 30,
      workers: 1,
      startCommand: `dk-unicorn -E none -D -c ${join(root, "shared", "unicorn.rb")}`,
    });
    await deployed(app, strategy, { env: { DK_ROOT: root, DK_PORT: String(port), DK_WORKERS: "1" } });
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
  });

  it("sidekiq(): the start command `dk-sidekiq ...` boots and takes jobs", async () => {
    const strategy = sidekiq({ timeout: 10, startCommand: ["dk-sidekiq", "-r", "./worker.rb", "-c", "2"] });
    const result = await deploy({
      store: store(),
      app: "jobs",
      version: "1.0.0",
      root: join(work, "jobs"),
      strategy,
      env: { REDIS_URL: redis.url },
    });
    started.push({ strategy, root: join(work, "jobs"), app: "jobs" });
    expect(result.rolledBack).toBe(false);
    expect(result.restart?.pids?.length).toBe(1);
  });
});
