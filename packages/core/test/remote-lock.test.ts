// The deploy lock of a root on a server reached over SSH: waiting for a held lock
// (lockTimeoutMs), reading who holds it, releasing an abandoned one (inspectLock / releaseLock
// with `host`), against a real sshd test host.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import {
  type ArtifactStore,
  createFsStore,
  type HostConnection,
  inspectLock,
  install,
  isDeployKitError,
  publish,
  releaseLock,
  sshHost,
} from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { startTestHosts, type TestHost, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { makePackage } from "./support/package";

let hosts: TestHosts;
let server: TestHost;
let host: HostConnection;
let store: ArtifactStore;
beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["locked"] });
  server = hosts.host("locked");
  host = sshHost({ host: "locked", sshConfig: hosts.sshConfig });
  const work = await mkdtemp(join(hosts.dir, "work-"));
  store = createFsStore({ dir: join(work, "store") });
  await publish(await makePackage(work, "web", "1.0.0", { "server.js": "v1" }), { store });
  // Big enough (incompressible) for the upload to be under way when it is aborted.
  await publish(await makePackage(work, "web", "2.0.0", { "big.bin": randomBytes(24_000_000) }), { store });
}, 300_000);
afterAll(async () => {
  await host?.close();
  await hosts?.stop();
});

/** Puts a lock record on the server as a deploy run by `pid` on this machine would. */
async function placeLock(root: string, pid: number) {
  const record = {
    pid,
    host: hostname(),
    since: new Date().toISOString(),
    operation: "install web 9.9.9",
    token: `t-${pid}`,
  };
  const placed = await server.ssh(
    `mkdir -p ${root}/.deploykit && cat > ${root}/.deploykit/lock`,
    JSON.stringify(record),
  );
  expect(placed.code).toBe(0);
}
const lockFile = async (root: string) =>
  (await server.ssh(`cat ${root}/.deploykit/lock 2>/dev/null || echo none`)).stdout;

describe("the deploy lock over SSH", () => {
  it("a live holder: E_LOCKED at once by default; with lockTimeoutMs the install waits and goes on once it is released", async () => {
    const root = "/srv/wait";
    await placeLock(root, process.pid);
    const refused = await install({ store, app: "web", version: "1.0.0", root, host }).catch(
      (e: unknown) => e,
    );
    expect(isDeployKitError(refused, "E_LOCKED")).toBe(true);
    expect((refused as Error).message).toContain(`pid ${process.pid}`);

    const status = await inspectLock({ root, host });
    expect(status).toMatchObject({
      held: true,
      stale: false,
      owner: { pid: process.pid, operation: "install web 9.9.9" },
    });
    expect(await releaseLock({ root, host }).catch((e: unknown) => e)).toMatchObject({ code: "E_LOCKED" });

    const tries = host.stats.roundTrips;
    const waiting = install({ store, app: "web", version: "1.0.0", root, host, lockTimeoutMs: 60_000 });
    // Once it has tried (and waited) a few times, the holder finishes.
    await eventually("the install to retry the lock", () => host.stats.roundTrips >= tries + 3);
    await server.ssh(`rm ${root}/.deploykit/lock`);
    expect((await waiting).release.version).toBe("1.0.0");
    expect(await lockFile(root)).toBe("none\n");
  }, 120_000);

  it("inspectLock tells a holder of this machine that is gone; releaseLock removes it; force removes a live one", async () => {
    const root = "/srv/stale";
    const dead = Number(execFileSync("sh", ["-c", "sh -c 'echo $$'"]).toString());
    await placeLock(root, dead);
    expect(await inspectLock({ root, host })).toMatchObject({
      held: true,
      stale: true,
      reason: `pid ${dead} is gone`,
    });
    expect(await releaseLock({ root, host })).toMatchObject({ released: true, owner: { pid: dead } });
    expect(await lockFile(root)).toBe("none\n");
    expect(await inspectLock({ root, host })).toMatchObject({ held: false });

    await placeLock(root, process.pid);
    expect(await releaseLock({ root, host, force: true })).toMatchObject({ released: true });
    expect(await lockFile(root)).toBe("none\n");
  });

  it("an install aborted mid-upload (Ctrl-C) settles with E_ABORTED, releases the lock and leaves nothing in the cache", async () => {
    const root = "/srv/aborted";
    const controller = new AbortController();
    const aborted = await install({
      store,
      app: "web",
      version: "2.0.0",
      root,
      host,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "progress" && e.step === "upload") controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(isDeployKitError(aborted, "E_ABORTED")).toBe(true);
    expect(await lockFile(root)).toBe("none\n");
    expect((await server.ssh(`find ${root}/.deploykit/cache -type f 2>/dev/null; true`)).stdout).toBe("");
  }, 60_000);
});
