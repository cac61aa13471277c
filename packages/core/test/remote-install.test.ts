import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  type ArtifactStore,
  createFsStore,
  type DeployEvent,
  type HostConnection,
  install,
  listInstalled,
  liveRelease,
  publish,
  rollback,
  sshHost,
} from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHosts, type TestHost, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { publishCrafted } from "./support/craft-tgz";
import { makePackage } from "./support/package";

const run = promisify(execFile);
const ROOT = "/srv/web";

let hosts: TestHosts;
let bare: TestHost;
let store: ArtifactStore;
beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["bare"] });
  bare = hosts.host("bare");
  const work = await mkdtemp(join(hosts.dir, "work-"));
  store = createFsStore({ dir: join(work, "store") });
  for (const v of ["1.0.0", "1.1.0"]) {
    const pkg = await makePackage(work, "web", v, { "server.js": `v${v}`, "log/keep.txt": "shipped" });
    await publish(pkg, { store, channel: "production" });
  }
}, 300_000);
afterAll(() => hosts?.stop());

/** What the server itself says is live: current's target and the file it serves. */
const serverView = async () => {
  const { stdout } = await bare.ssh(
    `cd ${ROOT} && readlink current && cat current/server.js && echo && readlink current/log`,
  );
  const [link, served, log] = stdout.split("\n");
  return { link, served, log };
};

describe("install, releases and rollback over SSH on a host with only sh, coreutils, tar and gzip", () => {
  let host: HostConnection;
  beforeAll(() => {
    host = sshHost({ host: "bare", sshConfig: hosts.sshConfig });
  });
  afterAll(() => host?.close());

  it("deploys a .tgz in 3 round trips, lists it, rolls back without moving bytes in at most 15", async () => {
    expect((await bare.ssh("command -v node ruby python3 || echo none")).stdout).toBe("none\n");
    const events: DeployEvent[] = [];
    const first = await install({
      store,
      app: "web",
      version: "1.0.0",
      root: ROOT,
      host,
      onEvent: (e) => events.push(e),
    });
    expect(first).toMatchObject({
      release: { version: "1.0.0", dir: `${ROOT}/releases/1.0.0` },
      unchanged: false,
    });
    expect(await serverView()).toEqual({
      link: "releases/1.0.0",
      served: "v1.0.0",
      log: ["..", "..", "shared", "log"].join("/"),
    });
    expect(events.some((e) => e.type === "progress" && e.step === "upload")).toBe(true);

    const before = host.stats.roundTrips;
    await install({ store, app: "web", channel: "production", root: ROOT, host });
    const installTrips = host.stats.roundTrips - before;
    // lock + inspect; artifact; unpack, record installed, switch, record live, unlock
    expect(installTrips).toBe(3);
    expect((await bare.ssh(`ls -A ${ROOT}/.deploykit`)).stdout).toBe("cache\nstate.json\n"); // unlocked
    expect((await serverView()).served).toBe("v1.1.0");

    const listed = await listInstalled(ROOT, { host });
    expect(listed).toMatchObject({ app: "web", current: "1.1.0", previous: "1.0.0" });
    expect(listed.releases.map((r) => r.version)).toEqual(["1.1.0", "1.0.0"]);

    const rollbackEvents: DeployEvent[] = [];
    const beforeRollback = host.stats.roundTrips;
    const back = await rollback({ root: ROOT, host, onEvent: (e) => rollbackEvents.push(e) });
    expect(back).toMatchObject({
      release: { version: "1.0.0" },
      previous: { version: "1.1.0" },
      rolledBack: false,
    });
    expect(host.stats.roundTrips - beforeRollback).toBeLessThanOrEqual(15);
    expect(rollbackEvents.some((e) => e.type === "progress")).toBe(false);
    expect((await serverView()).served).toBe("v1.0.0");
    expect((await liveRelease(ROOT, { host })).release.version).toBe("1.0.0");
    // One connection for all of it.
    expect(host.stats.handshakes).toBe(1);
    // Same layout as a local root: the container's files, read from this machine, list the same.
    const seenLocally = await listInstalled(join(bare.upper, ROOT));
    expect([seenLocally.current, seenLocally.previous]).toEqual(["1.0.0", undefined]);
    expect((await bare.ssh(`ls -A ${ROOT}/.deploykit ${ROOT}/releases`)).stdout).toBe(
      `${ROOT}/.deploykit:\ncache\nstate.json\n\n${ROOT}/releases:\n1.0.0\n1.1.0\n`,
    );
  }, 120_000);
});

describe("the archive safety scan runs on the control machine over the bytes sent", () => {
  it("refuses an archive with a ../ entry: nothing unpacked, nothing left in the host's cache", async () => {
    const work = await mkdtemp(join(hosts.dir, "evil-"));
    await publishCrafted(store, join(work, "evil-1.0.0.tgz"), [
      { path: "app.js", type: "File", body: "ok" },
      { path: "../../escaped.txt", type: "File", body: "x" },
    ]);
    const host = sshHost({ host: "bare", sshConfig: hosts.sshConfig });
    try {
      const error = await install({ store, app: "evil", version: "1.0.0", root: "/srv/evil", host }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: "E_UNSAFE_ARCHIVE" });
    } finally {
      await host.close();
    }
    const { stdout } = await bare.ssh("find /srv/evil /srv/escaped.txt -name '*' 2>/dev/null | sort");
    expect(stdout).not.toMatch(/escaped|evil-1\.0\.0\.tgz|releases\/1\.0\.0|current/);
  }, 60_000);
});

describe("crash safety over SSH", () => {
  const rounds = Number(process.env.DEPLOYKIT_SSH_CRASH_ROUNDS ?? 50);

  it(`cutting the connection (the master killed) at ${rounds} random moments of an install leaves current on a complete release; the next install succeeds`, async () => {
    const controlDir = await mkdtemp(join(hosts.dir, "crash-"));
    const host = sshHost({ host: "bare", sshConfig: hosts.sshConfig, controlDir });
    const root = "/srv/crash";
    const masterPid = async () => {
      await host.exec("true");
      const { stderr } = await run("ssh", [
        "-F",
        hosts.sshConfig,
        "-o",
        `ControlPath=${controlDir}/master`,
        "-O",
        "check",
        "bare",
      ]);
      return Number(/pid=(\d+)/.exec(stderr)?.[1]);
    };
    try {
      await install({ store, app: "web", version: "1.0.0", root, host });
      let started = performance.now();
      await install({ store, app: "web", version: "1.1.0", root, host });
      const installMs = performance.now() - started;
      const outcomes = { cut: 0, finished: 0 };
      for (let round = 0; round < rounds; round++) {
        const version = round % 2 === 0 ? "1.0.0" : "1.1.0";
        const pid = await masterPid();
        started = performance.now();
        const attempt = install({ store, app: "web", version, root, host }).then(
          () => "finished" as const,
          () => "cut" as const,
        );
        await new Promise((r) => setTimeout(r, Math.random() * installMs));
        process.kill(pid, "SIGKILL");
        outcomes[await attempt]++;
        const { stdout } = await bare.ssh(`cd ${root} && readlink current && cat current/server.js`);
        const [link, served] = stdout.split("\n");
        expect(link).toMatch(/^releases\/1\.[01]\.0$/);
        expect(served).toBe(`v${link?.slice("releases/".length)}`);
        await install({ store, app: "web", version, root, host });
        expect((await bare.ssh(`cat ${root}/current/server.js`)).stdout).toBe(`v${version}`);
        expect((await listInstalled(root, { host })).current).toBe(version);
      }
      expect(outcomes.cut).toBeGreaterThan(0);
      const { stdout } = await bare.ssh(`ls -A ${root} ${root}/releases ${root}/.deploykit`);
      expect(stdout).not.toMatch(/staging|trash|switch|\.tmp|lock/);
    } finally {
      await host.close();
    }
  }, 300_000);
});
