// activateDeb against the real dpkg (root): packages built here with dpkg-deb -b, a unique
// name per run, purged in afterAll even when a test fails.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
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

const APP = `dk-act-${process.pid}-${Date.now().toString(36)}`;
let work: string;

async function buildDeb(version: string, postinst = "exit 0"): Promise<string> {
  const root = join(work, `${version}-${postinst.length}`);
  await mkdir(join(root, "DEBIAN"), { recursive: true });
  await mkdir(join(root, "opt", APP), { recursive: true });
  await writeFile(join(root, "opt", APP, "VERSION"), `${version}\n`);
  await writeFile(
    join(root, "DEBIAN", "control"),
    `Package: ${APP}\nVersion: ${version}\nArchitecture: all\nMaintainer: Test <test@example.com>\nDescription: activateDeb test\n test package\n`,
  );
  await writeFile(join(root, "DEBIAN", "postinst"), `#!/bin/sh\nset -e\n${postinst}\n`);
  await chmod(join(root, "DEBIAN", "postinst"), 0o755);
  const file = join(work, `${APP}_${version}_${postinst.length}.deb`);
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

// Holds dpkg's frontend lock (an fcntl lock, as dpkg and apt take it) until stdin closes.
const LOCK_HOLDER = `import fcntl, sys
f = open("/var/lib/dpkg/lock-frontend", "w")
fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()`;

const installedVersion = () =>
  execFileSync("dpkg-query", ["-W", `-f=\${Version}`, APP], { encoding: "utf8" });

beforeAll(async () => {
  for (const tool of ["dpkg", "dpkg-deb", "dpkg-query"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is required`);
  }
  if (process.getuid?.() !== 0) throw new Error("activateDeb tests need root (CI runs as root)");
  work = await mkdtemp(join(tmpdir(), "deb-activate-"));
});

afterAll(async () => {
  // Another test file's dpkg may hold the lock for a moment: retry the purge until it runs.
  const deadline = Date.now() + 60_000;
  while (/locked by another process/.test(spawnSync("dpkg", ["--purge", APP], { encoding: "utf8" }).stderr)) {
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await rm(work, { recursive: true, force: true });
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

  it("waits while another process holds dpkg's lock, then installs", async () => {
    const holder = spawn("python3", ["-c", LOCK_HOLDER], { stdio: ["pipe", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once("data", () => resolve());
        holder.once("exit", (code) => reject(new Error(`lock holder exited ${code}`)));
      });
      const events: DeployEvent[] = [];
      const installing = activate(await buildDeb("6.0.0"), "6.0.0", (e) => events.push(e));
      const deadline = Date.now() + 20_000;
      while (!events.some((e) => e.type === "warning" && e.step === "dpkg")) {
        if (Date.now() > deadline) throw new Error("no lock warning");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(installedVersion()).not.toBe("6.0.0");
      holder.stdin.end();
      await installing;
      expect(installedVersion()).toBe("6.0.0");
    } finally {
      holder.kill();
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
