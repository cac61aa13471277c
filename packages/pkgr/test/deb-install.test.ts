// Real dpkg on this machine (root): install v1, upgrade to v2, reinstall v1 (the rollback path),
// purge. The package name is unique per run and purged in afterAll even when a test fails.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  activateDeb,
  type DeployEvent,
  hostLayout,
  type ReleaseManifest,
  resolvePorts,
} from "@deploykit/core";
import { type WrittenDeb, writeDeb } from "@deploykit/pkgr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeApp, makeTempDir, removeDir } from "./fixtures/deb-support/app";
import { attempt, dpkg, requireTools, run } from "./fixtures/deb-support/tools";

const NAME = `dk-it-${process.pid}-${Date.now().toString(36)}`;
const processes = { web: "bin/web", worker: "bin/worker" };
let work: string;
const debs: Record<string, WrittenDeb> = {};

function manifestOf(deb: WrittenDeb): ReleaseManifest {
  return {
    schemaVersion: 1,
    app: NAME,
    version: deb.debVersion,
    format: "deb",
    artifact: { file: deb.fileName, size: deb.size, sha256: deb.sha256 },
    createdAt: new Date().toISOString(),
    build: { buildpacks: [] },
    processes,
  };
}

async function install(deb: WrittenDeb, events: DeployEvent[] = []) {
  return activateDeb({
    artifactPath: deb.path,
    manifest: manifestOf(deb),
    layout: hostLayout(join(work, "host")),
    runner: resolvePorts().runner,
    onEvent: (event) => events.push(event),
  });
}

const wrapper = (...args: string[]) => run(`/usr/bin/${NAME}`, args).trim();

beforeAll(async () => {
  requireTools("dpkg", "dpkg-query", "useradd", "chroot");
  if (process.getuid?.() !== 0) throw new Error("the dpkg install test needs root (CI runs as root)");
  work = await makeTempDir("deb-install-");
  for (const version of ["1.0.0", "2.0.0"]) {
    const app = await makeApp(join(work, `app-${version}`), version);
    debs[version] = await writeDeb({
      appDir: app,
      outDir: join(work, "out"),
      name: NAME,
      version,
      iteration: "20240101",
      processes,
    });
  }
});

afterAll(async () => {
  dpkg(["--purge", NAME]);
  attempt("userdel", [NAME]);
  attempt("groupdel", [NAME]);
  await removeDir(`/var/log/${NAME}`);
  await removeDir(work);
});

describe("a .deb from writeDeb under the real dpkg", { timeout: 120_000 }, () => {
  it("installs v1: user and group created, a service per process, the wrapper runs web as the app user", async () => {
    const events: DeployEvent[] = [];
    const { dir } = await install(debs["1.0.0"] as WrittenDeb, events);
    expect(dir).toBe(`/opt/${NAME}`);
    expect(
      events.some((e) => e.type === "log" && e.step === "dpkg" && e.line.includes(`Setting up ${NAME}`)),
    ).toBe(true);
    expect(run("getent", ["passwd", NAME])).toContain(`:/opt/${NAME}:/usr/sbin/nologin`);
    expect(run("getent", ["group", NAME])).toContain(`${NAME}:`);
    for (const process of Object.keys(processes)) {
      const unit = await readFile(`/lib/systemd/system/${NAME}-${process}.service`, "utf8");
      expect(unit).toContain(`ExecStart=/usr/bin/${NAME} run ${process}`);
      expect(unit).toContain(`User=${NAME}`);
      // Enabled by postinst (deb-systemd-helper), even with no systemd running in this container.
      expect(existsSync(`/etc/systemd/system/multi-user.target.wants/${NAME}-${process}.service`)).toBe(true);
    }
    expect(wrapper("run", "web")).toBe(
      `web 1.0.0 port=6000 greeting=from-profile user=${NAME} pwd=/opt/${NAME}`,
    );
    expect(wrapper("run", "worker")).toBe("worker 1.0.0");
    expect(wrapper("run", "id", "-un")).toBe(NAME);
    expect(wrapper("run", "id", "-G").split(" ")).not.toContain("0");
    expect(run("stat", ["-c", "%U:%G %a", `/var/log/${NAME}`]).trim()).toBe(`${NAME}:${NAME} 750`);
    expect(run("stat", ["-c", "%U", `/opt/${NAME}/tmp`]).trim()).toBe(NAME);
  });

  it("keeps config set with config:set and loads it before .profile.d", () => {
    wrapper("config:set", "GREETING=hello world", "PORT=7001");
    expect(wrapper("config:get", "GREETING")).toBe("hello world");
    expect(wrapper("config")).toContain("PORT=7001");
    expect(wrapper("run", "web")).toBe(
      `web 1.0.0 port=7001 greeting=hello world user=${NAME} pwd=/opt/${NAME}`,
    );
    wrapper("config:unset", "PORT");
    expect(wrapper("config:get", "PORT")).toBe("6000");
  });

  it("upgrades to v2 in place, keeping the config", async () => {
    await install(debs["2.0.0"] as WrittenDeb);
    expect(run("dpkg-query", ["-W", `-f=\${Version}`, NAME])).toBe("2.0.0-20240101");
    expect(wrapper("run", "web")).toBe(
      `web 2.0.0 port=6000 greeting=hello world user=${NAME} pwd=/opt/${NAME}`,
    );
  });

  it("reinstalls v1 over v2 (the rollback path)", async () => {
    await install(debs["1.0.0"] as WrittenDeb);
    expect(run("dpkg-query", ["-W", `-f=\${Version}`, NAME])).toBe("1.0.0-20240101");
    expect(wrapper("run", "web")).toContain("web 1.0.0 ");
  });

  it("purges cleanly: nothing left but the logs", async () => {
    const owned = run("dpkg-query", ["-L", NAME]).trim().split("\n");
    expect(owned).toContain(`/usr/bin/${NAME}`);
    expect(dpkg(["--purge", NAME]).status).toBe(0);
    expect(attempt("dpkg-query", ["-W", NAME]).status).not.toBe(0);
    const left = [
      `/opt/${NAME}`,
      `/etc/${NAME}`,
      `/etc/default/${NAME}`,
      `/usr/bin/${NAME}`,
      `/usr/share/doc/${NAME}`,
    ]
      .concat(Object.keys(processes).map((p) => `/lib/systemd/system/${NAME}-${p}.service`))
      .concat(
        Object.keys(processes).map((p) => `/etc/systemd/system/multi-user.target.wants/${NAME}-${p}.service`),
      )
      .filter((path) => existsSync(path));
    expect(left).toEqual([]);
    const stillThere = owned.filter(
      (path) => existsSync(path) && !["/", "/opt", "/etc", "/usr", "/lib"].includes(path),
    );
    expect(stillThere.filter((p) => p.includes(NAME))).toEqual([]);
    expect(existsSync(`/var/log/${NAME}`)).toBe(true);
  });
});
