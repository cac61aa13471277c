import { cp, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createFsStore,
  liveRelease,
  publish,
  type RuntimeStrategy,
  sshHost,
  strategyContext,
} from "@deploykit/core";
import { node, sidekiq, unicorn } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { packRelease } from "../../../test-support/release";
import { startTestHosts, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { fetchText, fixture } from "../../runtimes/test/support/host";
import { startLoad } from "../../runtimes/test/support/load";
import { fleetDeploy } from "./support/cli";

// Issue 13's first acceptance: ONE rollout of v2 of one app to a farm of five real SSH hosts
// (test hosts with Debian's nodejs, ruby, unicorn, sidekiq, redis-server) in batches of 2, role
// by role: three node servers (node(): cluster workers), a unicorn server (USR2 upgrade) and a
// sidekiq worker with its redis-server; load on every web host during the rollout. The release
// holds the three fixture apps side by side (a node server, a rack app, a sidekiq worker).
const ROOT = "/srv/farm";
const REDIS_URL = "redis://127.0.0.1:6379/0";
const NODE = ["n1", "n2", "n3"];
let hosts: TestHosts;
let work: string;

beforeAll(async () => {
  hosts = await startTestHosts({ hosts: [...NODE, "r1", "k1"], template: "apps" });
  work = await mkdtemp(join(hosts.dir, "fleet-farm-"));
  const store = createFsStore({ dir: join(work, "store") });
  for (const version of ["1.0.0", "2.0.0"]) {
    const tree = join(work, `tree-${version}`);
    await mkdir(tree);
    for (const app of ["node-app", "rack-app", "sidekiq-app"])
      await cp(fixture(app), tree, { recursive: true });
    await writeFile(join(tree, "VERSION"), `${version}\n`);
    await publish(
      await packRelease({ tree, dir: work, app: "farm", version, processes: { web: "node server.js" } }),
      {
        store,
      },
    );
  }
  const config = await readFile(join(fixture("rack-app"), "unicorn.rb"));
  await hosts.host("r1").ssh(`mkdir -p ${ROOT}/shared && cat > ${ROOT}/shared/unicorn.rb`, config);
  await writeFile(
    join(work, "hosts.yml"),
    `
app: farm
root: ${ROOT}
ssh: { sshConfig: ${hosts.sshConfig}, connectTimeoutS: 5 }
order: [node, rack, worker]
roles:
  node:
    strategy: { name: node, port: 3000, workers: 2, timeout: 20, healthcheck: "http://127.0.0.1:3000/health" }
    env: { DK_LISTEN: "0.0.0.0" }
  rack:
    strategy: { name: unicorn, healthcheck: "http://127.0.0.1:8080/health", expectVersion: true, timeout: 30, workers: 2, startCommand: "unicorn -E none -D -c ${ROOT}/shared/unicorn.rb" }
    env: { DK_ROOT: ${ROOT}, DK_PORT: "8080", DK_LISTEN: "0.0.0.0" }
  worker:
    strategy: { name: sidekiq, timeout: 10, startCommand: [sidekiq, -r, ./worker.rb, -c, "25", -t, "10"] }
    env: { REDIS_URL: "${REDIS_URL}" }
hosts:
${NODE.map((n) => `  ${n}: { roles: [node] }`).join("\n")}
  r1: { roles: [rack] }
  k1: { roles: [worker] }
`,
  );
}, 300_000);

afterAll(async () => {
  const stops: [string, RuntimeStrategy][] = [
    ...NODE.map((n): [string, RuntimeStrategy] => [n, node({ port: 3000 })]),
    ["r1", unicorn({})],
    ["k1", sidekiq({})],
  ];
  for (const [name, strategy] of stops) {
    const host = sshHost({ host: name, sshConfig: hosts.sshConfig });
    const live = await liveRelease(ROOT, { host }).catch(() => undefined);
    if (live)
      await strategy
        .stop?.(strategyContext({ host, app: "farm", root: ROOT, release: live.release }))
        .catch((e: unknown) => console.error(`stopping ${name}:`, e));
    await host.close();
  }
  await hosts?.stop();
}, 120_000);

const rollout = async (version: string, batch: string) =>
  (await fleetDeploy(work, "hosts.yml", version, ["--batch", batch])).hosts.map((h) => [
    h.host,
    h.batch,
    h.outcome,
    h.versionAfter,
  ]);

describe("one rollout to a farm of five SSH hosts: node, unicorn, sidekiq", () => {
  it("v2 in batches of 2 under load: 0 socket errors, 0 non-2xx, 0 lost jobs, every host on v2", async () => {
    const redis = async (command: string) =>
      (await hosts.host("k1").ssh(`redis-cli ${command}`)).stdout.trim();
    await eventually("k1's redis-server to answer", async () => (await redis("ping")) === "PONG");
    expect((await rollout("1.0.0", "5"))?.map((h) => h[2])).toEqual(Array(5).fill("deployed"));
    const urls = [
      ...NODE.map((n) => `http://${hosts.host(n).address}:3000/`),
      `http://${hosts.host("r1").address}:8080/`,
    ];
    expect(await Promise.all(urls.map(fetchText))).toEqual(Array(4).fill("1.0.0"));
    const enqueued = await hosts
      .host("k1")
      .ssh(`cd ${ROOT}/current && REDIS_URL=${REDIS_URL} ruby enqueue.rb 100`);
    expect(enqueued.code, enqueued.stderr).toBe(0);

    const loads = await Promise.all(urls.map((url) => startLoad(url, 10)));
    let figures: { requests: number; errors: number; non2xx: number }[] = [];
    let second: unknown;
    try {
      second = await rollout("2.0.0", "2");
    } finally {
      figures = await Promise.all(loads.map((l) => l.stop()));
    }
    expect(second).toEqual([
      ["n1", 1, "deployed", "2.0.0"],
      ["n2", 1, "deployed", "2.0.0"],
      ["n3", 2, "deployed", "2.0.0"],
      ["r1", 3, "deployed", "2.0.0"],
      ["k1", 4, "deployed", "2.0.0"],
    ]);
    if (process.env.DK_TEST_TRACE)
      console.log(`farm rollout under load, per web host: ${JSON.stringify(figures)}`);
    for (const f of figures) {
      expect(f.requests).toBeGreaterThan(100);
      expect(f).toMatchObject({ errors: 0, non2xx: 0 });
    }
    expect(await Promise.all(urls.map(fetchText))).toEqual(Array(4).fill("2.0.0"));
    await eventually("100 jobs done", async () => Number(await redis("llen done")) >= 100, {
      timeoutMs: 120_000,
      intervalMs: 500,
    }).catch(() => undefined); // asserted below, with what did get done
    const done = (await redis("lrange done 0 -1")).split("\n").filter(Boolean);
    expect(new Set(done.map((line) => line.split(" ")[0])).size).toBe(100);
  }, 400_000);
});
