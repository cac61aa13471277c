// The upstart and sysv variants under the real dpkg on this (non-upstart, policy-rc.d) host:
// postinst must succeed where the init system is absent or forbidden to start services, the
// files land, and the LSB init script really starts, reports and stops the process.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { activateDeb, hostLayout, type ReleaseManifest, resolvePorts } from "@deploykit/core";
import { type DebOptions, type WrittenDeb, writeDeb } from "@deploykit/pkgr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { makeApp, makeTempDir, removeDir } from "./fixtures/deb-support/app";
import { attempt, dpkg, requireTools, run } from "./fixtures/deb-support/tools";

const STAMP = `${process.pid}-${Date.now().toString(36)}`;
const names: string[] = [];
let work: string;
let app: string;

async function buildAndInstall(
  variant: string,
  options: Partial<DebOptions>,
): Promise<{ name: string; deb: WrittenDeb }> {
  const name = `dk-${variant}-${STAMP}`;
  names.push(name);
  const processes = { web: "bin/web; exec sleep 600", worker: "bin/worker" };
  const deb = await writeDeb({
    appDir: app,
    outDir: join(work, variant),
    name,
    version: "1.0.0",
    iteration: "20240101",
    processes,
    ...options,
  });
  const manifest: ReleaseManifest = {
    schemaVersion: 1,
    app: name,
    version: deb.debVersion,
    format: "deb",
    artifact: { file: deb.fileName, size: deb.size, sha256: deb.sha256 },
    createdAt: new Date().toISOString(),
    build: { buildpacks: [] },
    processes,
  };
  await activateDeb({
    artifactPath: deb.path,
    manifest,
    layout: hostLayout(join(work, "host")),
    runner: resolvePorts().runner,
  });
  return { name, deb };
}

beforeAll(async () => {
  requireTools("dpkg", "update-rc.d", "start-stop-daemon");
  if (process.getuid?.() !== 0) throw new Error("the dpkg install tests need root (CI runs as root)");
  work = await makeTempDir("deb-init-");
  app = await makeApp(join(work, "app"), "1.0.0");
});

afterAll(async () => {
  for (const name of names) {
    attempt(`/etc/init.d/${name}-web`, ["stop"]);
    dpkg(["--purge", name]);
    attempt("userdel", [name]);
    attempt("groupdel", [name]);
    await removeDir(`/var/log/${name}`);
  }
  await removeDir(work);
});

describe("init-system variants under the real dpkg", { timeout: 120_000 }, () => {
  it("upstart (ubuntu-12.04): installs without a running upstart, one job per process, purges", async () => {
    const { name } = await buildAndInstall("up", { target: "ubuntu-12.04" });
    for (const process of ["web", "worker"]) {
      const job = await readFile(`/etc/init/${name}-${process}.conf`, "utf8");
      expect(job).toContain(`exec /usr/bin/${name} run ${process} >> /var/log/${name}/${process}.log 2>&1`);
    }
    expect(dpkg(["--purge", name]).status).toBe(0);
    expect(existsSync(`/etc/init/${name}-web.conf`)).toBe(false);
    expect(existsSync(`/opt/${name}`)).toBe(false);
  });

  it("sysv: registered with update-rc.d; the init script starts, reports and stops the process", async () => {
    const { name } = await buildAndInstall("sv", { init: "sysv" });
    expect(existsSync(`/etc/rc2.d/S01${name}-web`) || run("ls", ["/etc/rc2.d"]).includes(`${name}-web`)).toBe(
      true,
    );
    const script = `/etc/init.d/${name}-web`;
    run(script, ["start"]);
    const pidFile = `/run/${name}/web.pid`;
    await eventually("the pid file", () => existsSync(pidFile));
    const pid = Number((await readFile(pidFile, "utf8")).trim());
    await eventually("the web log line", async () =>
      (await readFile(`/var/log/${name}/web.log`, "utf8").catch(() => "")).includes(`web 1.0.0 port=6000`),
    );
    const uid = run("id", ["-u", name]).trim();
    expect(
      run("ps", ["-o", "uid=,comm=", "-p", String(pid)])
        .trim()
        .split(/\s+/),
    ).toEqual([uid, "sleep"]);
    expect(attempt(script, ["status"]).status).toBe(0);
    run(script, ["stop"]);
    await eventually("the process to exit", () => attempt("kill", ["-0", String(pid)]).status !== 0);
    expect(attempt(script, ["status"]).status).not.toBe(0);
    expect(dpkg(["--purge", name]).status).toBe(0);
    expect(run("ls", ["/etc/rc2.d"])).not.toContain(`${name}-web`);
  });
});
