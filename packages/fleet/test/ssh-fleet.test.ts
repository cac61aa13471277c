import { execFile } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { type ArtifactStore, createFsStore, publish } from "@deploykit/core";
import {
  deployFleet,
  fleetReleases,
  fleetStatus,
  type HostStep,
  hostDeployStep,
  type Inventory,
  parseInventory,
  rollbackFleet,
} from "@deploykit/fleet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { packRelease } from "../../../test-support/release";
import { startTestHosts, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";

// A fleet of five real servers (systemd-nspawn containers, each with its own sshd, host root
// and network namespace): installs, a host whose sshd is stopped mid-rollout, a host that
// refuses (its lock held by a deploy on another machine), fleet-wide releases, status, rollback.
const run = promisify(execFile);
const NAMES = ["f1", "f2", "f3", "f4", "f5"];
const CONNECT_TIMEOUT_S = 3;
let hosts: TestHosts;
let store: ArtifactStore;
let inventory: Inventory;

beforeAll(async () => {
  hosts = await startTestHosts({ hosts: NAMES });
  const work = await mkdtemp(join(hosts.dir, "fleet-"));
  store = createFsStore({ dir: join(work, "store") });
  for (const version of ["1.0.0", "2.0.0", "3.0.0"]) {
    const tree = join(work, `tree-${version}`);
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, "VERSION"), version);
    await publish(await packRelease({ tree, dir: work, app: "web", version }), { store });
  }
  inventory = parseInventory(`
app: web
root: /srv/web
ssh: { sshConfig: ${hosts.sshConfig}, connectTimeoutS: ${CONNECT_TIMEOUT_S} }
order: [web, worker]
hosts:
  f1: { roles: [web] }
  f2: { roles: [web] }
  f3: { roles: [web] }
  f4: { roles: [worker] }
  f5: { roles: [worker] }
`);
}, 300_000);
afterAll(() => hosts?.stop());

/** What each server itself says is live (over a fresh ssh per host). */
const served = () =>
  Promise.all(NAMES.map(async (name) => (await hosts.host(name).ssh("cat /srv/web/current/VERSION")).stdout));

/** True once `name` accepts an ssh login again (a plain ssh; never a test-host helper on a dead host). */
const sshUp = (name: string) =>
  run("ssh", ["-F", hosts.sshConfig, "-o", "ConnectTimeout=2", name, "true"]).then(
    () => true,
    () => false,
  );

describe("a rollout over five real SSH hosts", () => {
  it("installs in batches; a host whose sshd stops mid-rollout is E_HOST_UNREACHABLE at once, the rest finish, a re-run completes it", async () => {
    const first = await deployFleet({ inventory, store, version: "1.0.0", batchSize: 2 });
    expect(first.summary).toMatchObject({ planned: 5, done: 5, failed: 0 });
    expect(await served()).toEqual(Array(5).fill("1.0.0"));

    // f4 (batch 3: web f1,f2 | f3 | worker f4,f5) loses its sshd while batch 1 runs; its deploy
    // begins only once the stop has happened (the real step, held back until then).
    let stopped: Promise<unknown> | undefined;
    const real = hostDeployStep({ store, app: "web" });
    const step: HostStep = async (ctx) => {
      if (ctx.host.name === "f4") await stopped;
      return real(ctx);
    };
    // sshd stops only once a timer (in the host's own systemd) is set to start it again in 5 s;
    // the script's exit code is checked, so a timer that could not be set fails here, not later.
    const stopSshd = async () => {
      const done = await hosts
        .host("f4")
        .ssh("systemd-run --on-active=5 /bin/systemctl start ssh.service && systemctl stop ssh.service");
      expect(done.code, done.stderr).toBe(0);
    };
    const second = await deployFleet({
      inventory,
      store,
      version: "2.0.0",
      batchSize: 2,
      maxFailures: 1,
      step,
      onEvent: (e) => {
        if (e.type === "fleet:batch" && e.phase === "start" && e.batch === 1) stopped = stopSshd();
      },
    });
    const f4 = second.hosts.find((h) => h.host === "f4");
    expect(f4).toMatchObject({ outcome: "failed", errorCode: "E_HOST_UNREACHABLE", batch: 3 });
    expect(f4?.durationMs).toBeLessThan(CONNECT_TIMEOUT_S * 1000);
    expect(second.summary).toMatchObject({ planned: 5, done: 4, failed: 1, skipped: 0, halted: false });

    await eventually("f4's sshd back", () => sshUp("f4"), { timeoutMs: 60_000, intervalMs: 500 });
    expect((await hosts.host("f4").ssh("cat /srv/web/current/VERSION")).stdout).toBe("1.0.0");
    const again = await deployFleet({ inventory, store, version: "2.0.0", batchSize: 2, maxFailures: 1 });
    expect(again.hosts.map((h) => [h.host, h.outcome])).toEqual([
      ["f1", "unchanged"],
      ["f2", "unchanged"],
      ["f3", "unchanged"],
      ["f4", "deployed"],
      ["f5", "unchanged"],
    ]);
    expect(await served()).toEqual(Array(5).fill("2.0.0"));
  }, 180_000);

  it("halts on a host that refuses with maxFailures 0, rolls back the host it switched, never touches the others", async () => {
    const lock = JSON.stringify({
      pid: 4242,
      host: "another-control-machine",
      since: "2026-01-01T00:00:00Z",
      token: "t",
    });
    await hosts
      .host("f2")
      .ssh(`mkdir -p /srv/web/.deploykit && printf '%s\\n' '${lock}' > /srv/web/.deploykit/lock`);
    const events: string[] = [];
    const result = await deployFleet({
      inventory,
      store,
      version: "3.0.0",
      batchSize: 2,
      maxFailures: 0,
      onEvent: (e) => {
        if (e.type === "fleet:host:finish") events.push(`${e.action} ${e.host} ${e.result.outcome}`);
      },
    });
    expect(result.hosts.map((h) => [h.host, h.outcome, h.errorCode, h.versionAfter])).toEqual([
      ["f1", "rolled-back", undefined, "2.0.0"],
      ["f2", "failed", "E_LOCKED", undefined],
      ["f3", "skipped", undefined, undefined],
      ["f4", "skipped", undefined, undefined],
      ["f5", "skipped", undefined, undefined],
    ]);
    expect(events.at(-1)).toBe("rollback f1 rolled-back");
    expect(result.summary).toMatchObject({ done: 0, failed: 1, rolledBack: 1, skipped: 3, halted: true });
    expect(await served()).toEqual(Array(5).fill("2.0.0"));
    const untouched = await hosts
      .host("f3")
      .ssh("test -e /srv/web/releases/3.0.0 && echo touched || echo untouched");
    expect(untouched.stdout).toBe("untouched\n");

    const status = await fleetStatus({ inventory, role: "web" });
    expect(status.map((s) => [s.host, s.live, s.previous, s.lock?.held])).toEqual([
      // previous is where a plain rollback goes: back past 2.0.0, not forward to the 3.0.0 rolled back from.
      ["f1", "2.0.0", "1.0.0", false],
      ["f2", "2.0.0", "1.0.0", true],
      ["f3", "2.0.0", "1.0.0", false],
    ]);
    await hosts.host("f2").ssh("rm /srv/web/.deploykit/lock");
  }, 120_000);

  it("lists releases and rolls a role back across its hosts", async () => {
    const releases = await fleetReleases({ inventory, role: "worker" });
    expect(
      releases.map((r) => [r.host, r.releases?.current, r.releases?.releases.map((x) => x.version).sort()]),
    ).toEqual([
      ["f4", "2.0.0", ["1.0.0", "2.0.0"]],
      ["f5", "2.0.0", ["1.0.0", "2.0.0"]],
    ]);
    const back = await rollbackFleet({ inventory, role: "worker", batchSize: 2 });
    expect(back.hosts.map((h) => [h.host, h.outcome, h.versionBefore, h.versionAfter])).toEqual([
      ["f4", "rolled-back", "2.0.0", "1.0.0"],
      ["f5", "rolled-back", "2.0.0", "1.0.0"],
    ]);
    expect(await served()).toEqual(["2.0.0", "2.0.0", "2.0.0", "1.0.0", "1.0.0"]);
  }, 120_000);

  it("a host whose network link is cut is E_HOST_UNREACHABLE within the connect timeout; the batch goes on; a re-run completes it", async () => {
    const f5 = hosts.host("f5");
    await f5.setLink(false);
    let result: Awaited<ReturnType<typeof deployFleet>>;
    try {
      result = await deployFleet({
        inventory,
        role: "worker",
        store,
        version: "2.0.0",
        batchSize: 2,
        maxFailures: 1,
      });
    } finally {
      await f5.setLink(true);
    }
    const [f4, cut] = result.hosts;
    expect(f4).toMatchObject({ host: "f4", outcome: "deployed", versionAfter: "2.0.0" });
    expect(cut).toMatchObject({ host: "f5", outcome: "failed", errorCode: "E_HOST_UNREACHABLE" });
    // ssh's ConnectTimeout bounds it (plus the time to start ssh on a loaded machine).
    expect(cut?.durationMs).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_S * 1000 - 100);
    expect(cut?.durationMs).toBeLessThan(CONNECT_TIMEOUT_S * 1000 + 3000);
    await eventually("f5 reachable again", () => sshUp("f5"), { timeoutMs: 30_000, intervalMs: 500 });
    const again = await deployFleet({ inventory, role: "worker", store, version: "2.0.0", batchSize: 2 });
    expect(again.hosts.map((h) => [h.host, h.outcome])).toEqual([
      ["f4", "unchanged"],
      ["f5", "deployed"],
    ]);
  }, 120_000);
});
