import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import {
  type ArtifactStore,
  createFsStore,
  deploy,
  type HostConnection,
  isDeployKitError,
  sshHost,
  strategyContext,
} from "@deploykit/core";
import { systemd } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHosts, type TestHost, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { publishFixture } from "./support/releases";

// systemd() for real, over SSH: the bare test host runs systemd as PID 1; the unit runs the
// release `current` points at (test/fixtures/perl-app: the host has no node, ruby or python).
// deploykit logs in as `deploy` and runs systemctl through `sudo -n` (sshHost's `sudo`).
const ROOT = "/srv/sd";
const UNIT = "dk-web.service";
const PORT = 8090;
let hosts: TestHosts;
let server: TestHost;
let host: HostConnection;
let store: ArtifactStore;
const strategy = systemd({ unit: UNIT, healthcheck: `http://127.0.0.1:${PORT}/`, timeoutMs: 15_000 });

beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["sd"] });
  server = hosts.host("sd");
  host = sshHost({ host: "sd", user: "deploy", sudo: true, sshConfig: hosts.sshConfig });
  store = createFsStore({ dir: join(await mkdtemp(join(hosts.dir, "store-")), "store") });
  for (const [version, crash] of [
    ["1.0.0", false],
    ["2.0.0", false],
    ["3.0.0", true],
  ] as const) {
    await publishFixture(store, "sd", "perl-app", version, { crash, processes: {} });
  }
  await host.writeFile(
    `/etc/systemd/system/${UNIT}`,
    [
      "[Unit]",
      "Description=deploykit test app",
      "[Service]",
      `WorkingDirectory=${ROOT}/current`,
      `ExecStart=/usr/bin/perl server.pl ${PORT}`,
      "",
    ].join("\n"),
  );
  expect((await host.exec("systemctl daemon-reload")).exitCode).toBe(0);
}, 300_000);

afterAll(async () => {
  if (host) {
    const release = { version: "current", dir: `${ROOT}/current`, manifest: {} as never };
    await strategy.stop?.(strategyContext({ host, app: "sd", root: ROOT, release })).catch(() => {});
    await host.close();
  }
  await hosts?.stop();
});

const served = async () => (await server.ssh(`curl -s http://127.0.0.1:${PORT}/`)).stdout.trim();

describe("systemd() over SSH, through sudo, on a host whose PID 1 is systemd", () => {
  it("deploys, restarts the unit onto each release, rolls back a release whose unit fails", async () => {
    const deployVersion = (version: string) =>
      deploy({ store, app: "sd", version, root: ROOT, host, strategy });
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    expect(await served()).toBe("1.0.0");
    const second = await deployVersion("2.0.0");
    expect(second).toMatchObject({ rolledBack: false, release: { version: "2.0.0" } });
    expect(await served()).toBe("2.0.0");
    // The unit's main process is the server's perl, started by systemd from releases/2.0.0.
    const main = (await server.ssh(`systemctl show -p MainPID --value ${UNIT}`)).stdout.trim();
    expect((await server.ssh(`readlink /proc/${main}/cwd`)).stdout.trim()).toBe(`${ROOT}/releases/2.0.0`);

    const broken = await deployVersion("3.0.0");
    expect(broken.rolledBack).toBe(true);
    expect(isDeployKitError(broken.cause, "E_RESTART_FAILED")).toBe(true);
    expect(await served()).toBe("2.0.0");
    expect((await server.ssh(`readlink ${ROOT}/current`)).stdout.trim()).toBe("releases/2.0.0");
  }, 120_000);
});
