// .deb releases over SSH: the host's own dpkg installs the cached package, its systemd unit
// starts and restarts for real (the test hosts run systemd as PID 1), and a rollback reinstalls
// the previous .deb from the host's cache (dpkg downgrades in place). Packages are built here
// with dpkg-deb, the way pkgr lays them out: files under /opt/<app>, a unit, a postinst.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  type ArtifactStore,
  type BuiltPackage,
  createFsStore,
  type DeployEvent,
  type HostConnection,
  install,
  isDeployKitError,
  listInstalled,
  publish,
  rollback,
  sshHost,
} from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { startTestHosts, type TestHost, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";

const APP = "dk-rdeb";
const ROOT = "/srv/dk-rdeb";
let hosts: TestHosts;
let server: TestHost;
let host: HostConnection;
let store: ArtifactStore;
let work: string;

/** A .deb of APP at `version`: /opt/APP/VERSION and a systemd unit the postinst (re)starts. */
async function buildDeb(version: string, postinstHead = ""): Promise<BuiltPackage> {
  const tree = join(work, `tree-${version}`);
  await mkdir(join(tree, "DEBIAN"), { recursive: true });
  await mkdir(join(tree, "opt", APP), { recursive: true });
  await mkdir(join(tree, "lib", "systemd", "system"), { recursive: true });
  await writeFile(join(tree, "opt", APP, "VERSION"), `${version}\n`);
  await writeFile(
    join(tree, "lib", "systemd", "system", `${APP}.service`),
    `[Unit]\nDescription=${APP}\n[Service]\nExecStart=/bin/sh -c 'cp /opt/${APP}/VERSION /run/${APP}.version; exec sleep infinity'\n[Install]\nWantedBy=multi-user.target\n`,
  );
  await writeFile(
    join(tree, "DEBIAN", "control"),
    `Package: ${APP}\nVersion: ${version}\nArchitecture: all\nMaintainer: Test <test@example.com>\nDescription: deploykit remote .deb test\n test package\n`,
  );
  await writeFile(
    join(tree, "DEBIAN", "postinst"),
    `#!/bin/sh\nset -e\n${postinstHead}\nsystemctl daemon-reload\nsystemctl enable ${APP}.service >/dev/null 2>&1\nsystemctl restart ${APP}.service\n`,
  );
  await chmod(join(tree, "DEBIAN", "postinst"), 0o755);
  const path = join(work, `${APP}_${version}_all.deb`);
  execFileSync("dpkg-deb", ["--root-owner-group", "-b", tree, path], { stdio: "ignore" });
  const bytes = await readFile(path);
  return {
    path,
    manifest: {
      schemaVersion: 1,
      app: APP,
      version,
      format: "deb",
      artifact: {
        file: basename(path),
        size: bytes.length,
        sha256: createHash("sha256").update(bytes).digest("hex"),
      },
      createdAt: new Date().toISOString(),
      build: { buildpacks: [] },
      processes: {},
    },
  };
}

/** What the server runs: the version the unit's process copied at its start. */
const running = async () => (await server.ssh(`cat /run/${APP}.version`)).stdout.trim();

beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["debhost"] });
  server = hosts.host("debhost");
  host = sshHost({ host: "debhost", sshConfig: hosts.sshConfig });
  work = await mkdtemp(join(hosts.dir, "work-"));
  store = createFsStore({ dir: join(work, "store") });
  for (const version of ["1.0.0", "2.0.0"]) await publish(await buildDeb(version), { store });
  await publish(await buildDeb("3.0.0", "echo 'postinst: cannot migrate' >&2; exit 1"), { store });
}, 300_000);
afterAll(async () => {
  await host?.close();
  await hosts?.stop();
});

describe(".deb releases over SSH", () => {
  it("installs with the host's dpkg, starts and restarts the unit on upgrade, rolls back from the cache", async () => {
    const events: DeployEvent[] = [];
    const first = await install({
      store,
      app: APP,
      version: "1.0.0",
      root: ROOT,
      host,
      onEvent: (e) => events.push(e),
    });
    expect(first.release).toMatchObject({ version: "1.0.0", dir: `/opt/${APP}` });
    expect(events.some((e) => e.type === "step:finish" && e.step === "dpkg")).toBe(true);
    await eventually("1.0.0 to run", async () => (await running()) === "1.0.0");

    await install({ store, app: APP, version: "2.0.0", root: ROOT, host });
    await eventually("2.0.0 to run", async () => (await running()) === "2.0.0");
    expect((await server.ssh(`dpkg-query -W -f='\${Version}' ${APP}`)).stdout).toBe("2.0.0");

    const back = await rollback({ root: ROOT, host });
    expect(back.release.version).toBe("1.0.0");
    await eventually("1.0.0 to run again", async () => (await running()) === "1.0.0");
    expect((await server.ssh(`dpkg-query -W -f='\${Version}' ${APP}`)).stdout).toBe("1.0.0");
    const installed = await listInstalled(ROOT, { host });
    // A plain rollback walks back: from 1.0.0, the first release, there is nowhere further to go.
    expect([installed.current, installed.previous]).toEqual(["1.0.0", undefined]);
    // No current symlink: a .deb is live where dpkg put it.
    expect((await server.ssh(`test -e ${ROOT}/current && echo yes || echo no`)).stdout).toBe("no\n");
    expect((await server.ssh(`cat ${ROOT}/.deploykit/dpkg.log`)).stdout).toContain(
      `Setting up ${APP} (2.0.0)`,
    );
  }, 180_000);

  it("a failing maintainer script is E_DPKG with dpkg's words; the state keeps the release that was live", async () => {
    const before = await listInstalled(ROOT, { host });
    const failed = await install({ store, app: APP, version: "3.0.0", root: ROOT, host }).catch(
      (e: unknown) => e,
    );
    expect(isDeployKitError(failed, "E_DPKG")).toBe(true);
    expect((failed as Error).message).toContain("postinst: cannot migrate");
    expect((await listInstalled(ROOT, { host })).current).toBe(before.current);
    // Put the host back for the next test: dpkg reinstalls the live version over the broken one.
    await rollback({ root: ROOT, host, version: "2.0.0" });
    await eventually("2.0.0 to run", async () => (await running()) === "2.0.0");
  }, 120_000);

  it("dpkg needs root: as a plain user E_DPKG says to use sudo; with sudo: true it installs", async () => {
    const asDeploy = sshHost({
      host: server.address,
      user: "deploy",
      identityFile: hosts.identityFile,
      sshConfig: hosts.sshConfig,
    });
    const withSudo = sshHost({
      host: server.address,
      user: "deploy",
      identityFile: hosts.identityFile,
      sshConfig: hosts.sshConfig,
      sudo: true,
    });
    try {
      const refused = await install({
        store,
        app: APP,
        version: "1.0.0",
        root: "/var/tmp/dk-rdeb-user",
        host: asDeploy,
      }).catch((e: unknown) => e);
      expect(isDeployKitError(refused, "E_DPKG")).toBe(true);
      expect((refused as { hint?: string }).hint).toContain("sudo");
      const done = await install({
        store,
        app: APP,
        version: "1.0.0",
        root: "/srv/dk-rdeb-sudo",
        host: withSudo,
      });
      expect(done.release.version).toBe("1.0.0");
      await eventually("1.0.0 to run", async () => (await running()) === "1.0.0");
    } finally {
      await asDeploy.close();
      await withSudo.close();
    }
  }, 120_000);
});
