import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import {
  type ArtifactStore,
  createFsStore,
  deploy,
  type HostConnection,
  install,
  isDeployKitError,
  listInstalled,
  publish,
  type RuntimeStrategy,
  restartLive,
  sshHost,
  status,
} from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHosts, type TestHost, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { makePackage } from "./support/package";

// install-root-fit.test.ts over SSH: a remote root refuses and repairs exactly as a local one.
let hosts: TestHosts;
let bare: TestHost;
let host: HostConnection;
let work: string;
let store: ArtifactStore;
const strategy: RuntimeStrategy = { name: "fake", restart: async () => ({ strategy: "fake" }) };

async function release(to: ArtifactStore, app: string, version: string, body: string) {
  const pkg = await makePackage(await mkdtemp(join(work, "pkg-")), app, version, { "server.js": body });
  await publish(pkg, { store: to });
}

beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["bare"] });
  bare = hosts.host("bare");
  host = sshHost({ host: "bare", sshConfig: hosts.sshConfig });
  work = await mkdtemp(join(hosts.dir, "work-"));
  store = createFsStore({ dir: join(work, "store") });
  for (const v of ["1.0.0", "2.0.0"]) await release(store, "hello", v, `hello ${v}`);
}, 300_000);
afterAll(async () => {
  await host?.close();
  await hosts?.stop();
});

/** Every path under a root on the server, sorted. */
const tree = async (root: string) =>
  (await bare.ssh(`cd ${root} 2>/dev/null && find . | LC_ALL=C sort || echo absent`)).stdout;

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected it to fail");
    },
    (error: unknown) => error,
  );

describe("a remote root refuses what does not belong in it, before writing anything", () => {
  it("another app is E_HOST_STATE; other bytes under an installed version are E_CHECKSUM_MISMATCH", async () => {
    const root = "/srv/one";
    const rstore = createFsStore({ dir: join(work, "rstore") });
    for (const v of ["1.0.0", "2.0.0"]) await release(rstore, "rack", v, `rack ${v}`);
    const other = createFsStore({ dir: join(work, "other") });
    await release(other, "hello", "1.0.0", "other bytes");
    await install({ store, app: "hello", version: "1.0.0", root, host });
    const before = await tree(root);
    for (const version of ["1.0.0", "2.0.0"]) {
      const error = await failure(install({ store: rstore, app: "rack", version, root, host }));
      expect(isDeployKitError(error, "E_HOST_STATE"), String(error)).toBe(true);
      expect((error as Error).message).toContain("holds app hello");
    }
    for (const run of [
      () => install({ store: other, app: "hello", version: "1.0.0", root, host }),
      () => deploy({ store: other, app: "hello", version: "1.0.0", root, host, strategy }),
    ]) {
      const error = await failure(run());
      expect(isDeployKitError(error, "E_CHECKSUM_MISMATCH"), String(error)).toBe(true);
    }
    expect(await tree(root)).toBe(before);
    expect((await bare.ssh(`cat ${root}/current/server.js`)).stdout).toBe("hello 1.0.0");
  }, 120_000);

  it("an unknown version or channel and a restart with nothing live create no root", async () => {
    const cases: [string, () => Promise<unknown>, string][] = [
      [
        "/srv/x1",
        () => install({ store, app: "hello", version: "9.9.9", root: "/srv/x1", host }),
        "E_NOT_FOUND",
      ],
      [
        "/srv/x2",
        () => deploy({ store, app: "hello", channel: "stagign", root: "/srv/x2", host, strategy }),
        "E_NOT_FOUND",
      ],
      ["/srv/x3", () => restartLive({ root: "/srv/x3", host, strategy }), "E_NOT_FOUND"],
    ];
    for (const [root, run, code] of cases) {
      const error = await failure(run());
      expect(isDeployKitError(error, code as never), String(error)).toBe(true);
      expect(await tree(root)).toBe("absent\n");
    }
  }, 120_000);
});

describe("a remote live release whose directory is gone", () => {
  it("is unpacked again and current pointed at it, not reported unchanged", async () => {
    const root = "/srv/gone";
    for (const version of ["1.0.0", "2.0.0"]) await install({ store, app: "hello", version, root, host });
    await bare.ssh(`rm -rf ${root}/releases/2.0.0`);
    expect((await status({ root, host })).missing).toContain(`${root}/releases/2.0.0`);
    const again = await install({ store, app: "hello", version: "2.0.0", root, host });
    expect(again).toMatchObject({ unchanged: false, previous: { version: "1.0.0" } });
    expect((await bare.ssh(`cat ${root}/current/server.js`)).stdout).toBe("hello 2.0.0");
    expect(await listInstalled(root, { host })).toMatchObject({ current: "2.0.0", previous: "1.0.0" });
    expect((await install({ store, app: "hello", version: "2.0.0", root, host })).unchanged).toBe(true);
    await bare.ssh(`rm -rf ${root}/releases/2.0.0`);
    const deployed = await deploy({ store, app: "hello", version: "2.0.0", root, host, strategy });
    expect(deployed.unchanged).not.toBe(true);
    expect((await bare.ssh(`cat ${root}/current/server.js`)).stdout).toBe("hello 2.0.0");
  }, 120_000);
});
