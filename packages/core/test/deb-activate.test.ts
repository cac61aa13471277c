// activateDeb against the real dpkg (root): packages built here with dpkg-deb -b, a unique
// name per run, purged in afterAll even when a test fails.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  activateDeb,
  type DeployEvent,
  hostLayout,
  isDeployKitError,
  type ReleaseManifest,
  resolvePorts,
} from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { tempDir } from "../../../test-support/temp-dir";

const APP = `dk-act-${process.pid}-${Date.now().toString(36)}`;
let work: string;
let cleanup: (() => Promise<void>) | undefined;

async function buildDeb(version: string, postinst = "exit 0", name = APP): Promise<string> {
  const root = join(work, `${name}-${version}-${postinst.length}`);
  await mkdir(join(root, "DEBIAN"), { recursive: true });
  await mkdir(join(root, "opt", name), { recursive: true });
  await writeFile(join(root, "opt", name, "VERSION"), `${version}\n`);
  await writeFile(
    join(root, "DEBIAN", "control"),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: Test <test@example.com>\nDescription: activateDeb test\n test package\n`,
  );
  await writeFile(join(root, "DEBIAN", "postinst"), `#!/bin/sh\nset -e\n${postinst}\n`);
  await chmod(join(root, "DEBIAN", "postinst"), 0o755);
  const file = join(work, `${name}_${version}_${postinst.length}.deb`);
  execFileSync("dpkg-deb", ["--root-owner-group", "-b", root, file], { stdio: "ignore" });
  return file;
}

const manifest = (version: string): ReleaseManifest => ({
  schemaVersion: 1,
  app: APP,
  version,
  format: "deb",
  artifact: { file: `${APP}_${version}_all.deb`, size: 1, sha256: "0".repeat(64) },
  createdAt: new Date().toISOString(),
  build: { buildpacks: [] },
  processes: {},
});

const activate = (artifactPath: string, version: string, onEvent?: (e: DeployEvent) => void) =>
  activateDeb({
    artifactPath,
    manifest: manifest(version),
    layout: hostLayout(join(work, "host")),
    runner: resolvePorts().runner,
    onEvent,
  });

const installedVersion = () =>
  execFileSync("dpkg-query", ["-W", `-f=\${Version}`, APP], { encoding: "utf8" });

beforeAll(async () => {
  for (const tool of ["dpkg", "dpkg-deb", "dpkg-query"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is required`);
  }
  if (process.getuid?.() !== 0) throw new Error("activateDeb tests need root (CI runs as root)");
  ({ dir: work, cleanup } = await tempDir("deb-activate-"));
});

afterAll(async () => {
  // Another test file's dpkg may hold the lock for a moment: retry the purge until it runs.
  for (const name of [APP, `${APP}-lock`]) {
    const purged = () =>
      !/locked by another process/.test(spawnSync("dpkg", ["--purge", name], { encoding: "utf8" }).stderr);
    await eventually(`dpkg --purge ${name}`, purged, { timeoutMs: 60_000, intervalMs: 200 }).catch(
      () => undefined,
    );
  }
  await cleanup?.();
});

describe("activateDeb", { timeout: 120_000 }, () => {
  it("installs with dpkg, streams its lines as log events, keeps a transcript, returns the home", async () => {
    const events: DeployEvent[] = [];
    const { dir } = await activate(await buildDeb("1.0.0"), "1.0.0", (e) => events.push(e));
    expect(dir).toBe(`/opt/${APP}`);
    expect(installedVersion()).toBe("1.0.0");
    expect(await readFile(`/opt/${APP}/VERSION`, "utf8")).toBe("1.0.0\n");
    expect(events.some((e) => e.type === "log" && e.line.includes(`Setting up ${APP} (1.0.0)`))).toBe(true);
    expect(events.filter((e) => e.type === "step:finish").map((e) => e.step)).toEqual(["dpkg"]);
    expect(await readFile(join(work, "host", ".deploykit", "dpkg.log"), "utf8")).toContain(
      `Setting up ${APP} (1.0.0)`,
    );
  });

  it("upgrades, then reinstalls the older .deb (the rollback path)", async () => {
    const v1 = await buildDeb("1.0.0");
    await activate(await buildDeb("2.0.0"), "2.0.0");
    expect(installedVersion()).toBe("2.0.0");
    await activate(v1, "1.0.0");
    expect(installedVersion()).toBe("1.0.0");
    expect(await readFile(`/opt/${APP}/VERSION`, "utf8")).toBe("1.0.0\n");
  });

  it("turns a failing maintainer script into E_DPKG carrying dpkg's own message", async () => {
    const error = await activate(await buildDeb("3.0.0", "echo broken >&2; exit 3"), "3.0.0").catch((e) => e);
    expect(isDeployKitError(error, "E_DPKG")).toBe(true);
    expect(error.message).toContain("post-installation script subprocess returned error exit status 3");
    expect(error.message).toContain(`dpkg could not install ${APP} 3.0.0`);
    await activate(await buildDeb("1.0.0"), "1.0.0");
    expect(installedVersion()).toBe("1.0.0");
  });

  it("waits while another dpkg holds the lock, then installs", async () => {
    // The lock holder is a real dpkg run whose postinst waits for a file we create.
    const holding = join(work, "holding");
    const release = join(work, "release");
    const holderDeb = await buildDeb(
      "1.0",
      `touch ${holding}\nwhile [ ! -e ${release} ]; do sleep 0.1; done`,
      `${APP}-lock`,
    );
    const holder = spawn("dpkg", ["--install", holderDeb], { stdio: "ignore" });
    const holderDone = new Promise<number | null>((resolve) => holder.once("exit", resolve));
    try {
      await eventually("the holder to take the lock", () => existsSync(holding));
      const events: DeployEvent[] = [];
      const installing = activate(await buildDeb("6.0.0"), "6.0.0", (e) => events.push(e));
      await eventually("the lock warning", () =>
        events.some((e) => e.type === "warning" && e.step === "dpkg"),
      );
      expect(installedVersion()).not.toBe("6.0.0");
      await writeFile(release, "");
      expect(await holderDone).toBe(0);
      await installing;
      expect(installedVersion()).toBe("6.0.0");
    } finally {
      await writeFile(release, "");
      await holderDone;
    }
  });

  it("reports a damaged archive as E_DPKG", async () => {
    const damaged = join(work, "damaged.deb");
    await writeFile(damaged, "!<arch>\nnot really a package");
    const error = await activate(damaged, "4.0.0").catch((e) => e);
    expect(isDeployKitError(error, "E_DPKG")).toBe(true);
    expect(error.message).toMatch(/dpkg-deb|dpkg: error/);
  });

  it("fails with E_DPKG when the package's Version is not the manifest's", async () => {
    const error = await activate(await buildDeb("5.0.0"), "5.0.1").catch((e) => e);
    expect(isDeployKitError(error, "E_DPKG")).toBe(true);
    expect(error.message).toContain('expected "install ok installed 5.0.1"');
  });
});
