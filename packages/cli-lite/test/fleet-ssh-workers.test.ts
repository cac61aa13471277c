import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createFsStore, liveRelease, sshHost, strategyContext } from "@deploykit/core";
import { sidekiq, unicorn } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { startTestHosts, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { fetchText, fixture } from "../../runtimes/test/support/host";
import { startLoad } from "../../runtimes/test/support/load";
import { publishFixture } from "../../runtimes/test/support/releases";
import { deploykit, jsonLines } from "./support/cli";

// The rest of issue 13's farm through `deploykit deploy --inventory --role`: a web host running
// unicorn (USR2 upgrades) under load and a worker host running sidekiq against its redis-server,
// both real SSH hosts with Debian's ruby: rolled to v2 role by role, 0 socket errors, 0 non-2xx,
// 0 lost jobs, every host on v2.
const REDIS_URL = "redis://127.0.0.1:6379/0";
let hosts: TestHosts;
let work: string;

beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["r1", "k1"], template: "apps" });
  work = await mkdtemp(join(hosts.dir, "fleet-workers-"));
  const store = createFsStore({ dir: join(work, "store") });
  for (const version of ["1.0.0", "2.0.0"]) {
    await publishFixture(store, "rack", "rack-app", version, { processes: {} });
    await publishFixture(store, "jobs", "sidekiq-app", version, { processes: {} });
  }
  const config = await readFile(join(fixture("rack-app"), "unicorn.rb"));
  await hosts.host("r1").ssh("mkdir -p /srv/rack/shared && cat > /srv/rack/shared/unicorn.rb", config);
  await writeFile(
    join(work, "hosts.yml"),
    `
root: /srv/app
ssh: { sshConfig: ${hosts.sshConfig}, connectTimeoutS: 5 }
order: [web, worker]
roles:
  web:
    root: /srv/rack
    strategy: { name: unicorn, healthcheck: "http://127.0.0.1:8080/health", expectVersion: true, timeout: 30, workers: 2, startCommand: "unicorn -E none -D -c /srv/rack/shared/unicorn.rb" }
    env: { DK_ROOT: /srv/rack, DK_PORT: "8080", DK_LISTEN: "0.0.0.0" }
  worker:
    root: /srv/jobs
    strategy: { name: sidekiq, timeout: 10, startCommand: [sidekiq, -r, ./worker.rb, -c, "25", -t, "10"] }
    env: { REDIS_URL: "${REDIS_URL}" }
hosts:
  r1: { roles: [web] }
  k1: { roles: [worker] }
`,
  );
}, 300_000);

afterAll(async () => {
  const stops = [
    { name: "r1", root: "/srv/rack", app: "rack", strategy: unicorn({}) },
    { name: "k1", root: "/srv/jobs", app: "jobs", strategy: sidekiq({}) },
  ];
  for (const { name, root, app, strategy } of stops) {
    const host = sshHost({ host: name, sshConfig: hosts.sshConfig });
    const live = await liveRelease(root, { host }).catch(() => undefined);
    if (live)
      await strategy
        .stop?.(strategyContext({ host, app, root, release: live.release }))
        .catch((e: unknown) => console.error(e));
    await host.close();
  }
  await hosts?.stop();
}, 120_000);

const rollout = async (role: string, app: string, version: string) => {
  const run = await deploykit(
    [
      "deploy",
      "--inventory",
      "hosts.yml",
      "--role",
      role,
      "--app",
      app,
      "--store",
      "store",
      "--version",
      version,
      "--json",
    ],
    { cwd: work },
  );
  const last = jsonLines(run.stdout).at(-1) as {
    result?: { hosts: { host: string; outcome: string; versionAfter?: string }[] };
  };
  expect(last.result, run.stdout.slice(-2000)).toBeDefined();
  return last.result?.hosts.map((h) => [h.host, h.outcome, h.versionAfter]);
};

describe("deploykit deploy --inventory --role: unicorn and sidekiq hosts over SSH", () => {
  it("rolls web then worker to v2 under load: 0 socket errors, 0 non-2xx, 0 lost jobs", async () => {
    const redis = async (command: string) =>
      (await hosts.host("k1").ssh(`redis-cli ${command}`)).stdout.trim();
    await eventually("k1's redis-server to answer", async () => (await redis("ping")) === "PONG");
    expect(await rollout("web", "rack", "1.0.0")).toEqual([["r1", "deployed", "1.0.0"]]);
    expect(await rollout("worker", "jobs", "1.0.0")).toEqual([["k1", "deployed", "1.0.0"]]);
    const url = `http://${hosts.host("r1").address}:8080/`;
    expect(await fetchText(url)).toBe("1.0.0");
    const enqueued = await hosts
      .host("k1")
      .ssh(`cd /srv/jobs/current && REDIS_URL=${REDIS_URL} ruby enqueue.rb 100`);
    expect(enqueued.code, enqueued.stderr).toBe(0);

    const load = await startLoad(url, 20);
    let figures: { requests: number; errors: number; non2xx: number } | undefined;
    try {
      expect(await rollout("web", "rack", "2.0.0")).toEqual([["r1", "deployed", "2.0.0"]]);
      expect(await rollout("worker", "jobs", "2.0.0")).toEqual([["k1", "deployed", "2.0.0"]]);
    } finally {
      figures = await load.stop();
    }
    if (process.env.DK_TEST_TRACE) console.log(`unicorn under a fleet rollout: ${JSON.stringify(figures)}`);
    expect(figures.requests).toBeGreaterThan(200);
    expect(figures).toMatchObject({ errors: 0, non2xx: 0 });
    expect(await fetchText(url)).toBe("2.0.0");
    await eventually("100 jobs done", async () => Number(await redis("llen done")) >= 100, {
      timeoutMs: 120_000,
      intervalMs: 500,
    }).catch(() => undefined); // asserted below, with what did get done
    const done = (await redis("lrange done 0 -1")).split("\n").filter(Boolean);
    expect(new Set(done.map((line) => line.split(" ")[0])).size).toBe(100);
  }, 400_000);
});
