import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createFsStore,
  type DeployEvent,
  install,
  isDeployKitError,
  listInstalled,
  publish,
} from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePackage, tempDir } from "./support/package";

// The host's environment refusing: a full disk, a read-only file system, no permission; and host
// state left by an older deploy tool. Real mounts (the tests run as root, as CI does).

const CHILD = fileURLToPath(new URL("./support/install-child.mjs", import.meta.url));
const mounts: string[] = [];

async function tmpfs(size: string): Promise<string> {
  const mnt = await mkdtemp(join(tmpdir(), "dk-tmpfs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", mnt]);
  mounts.push(mnt);
  return mnt;
}

let dir: string;
let cleanup: () => Promise<void>;
let storeDir: string;
const store = () => createFsStore({ dir: storeDir });

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("dk-faults-"));
  storeDir = join(dir, "store");
  const publishOne = async (version: string, files: Parameters<typeof makePackage>[3]) =>
    publish(await makePackage(dir, "web", version, files), { store: store() });
  await publishOne("1.0.0", { "server.js": "v1.0.0" });
  // Random bytes do not compress: the artifacts are as big as their content.
  await publishOne("2.0.0", { "server.js": "v2.0.0", "blob.bin": randomBytes(40 * 1024 * 1024) });
  await publishOne("3.0.0", { "server.js": "v3.0.0", "blob.bin": randomBytes(18 * 1024 * 1024) });
  await publishOne("4.0.0", {
    "server.js": "v4.0.0",
    "var/tmp/.keep": "",
    tmp: { symlink: "var/tmp" },
  });
}, 120_000);

afterAll(async () => {
  for (const mnt of mounts) {
    execFileSync("umount", ["-l", mnt]);
    await rm(mnt, { recursive: true, force: true });
  }
  await cleanup();
});

const live = (root: string) => readFile(join(root, "current", "server.js"), "utf8");
const code = (error: unknown) => (isDeployKitError(error) ? error.code : String(error));

async function leftovers(root: string): Promise<string[]> {
  const list = (d: string) => readdir(d).catch(() => [] as string[]);
  return [
    ...(await list(join(root, "releases"))).filter((n) => n.startsWith(".")),
    ...(await list(join(root, ".deploykit", "cache"))).filter((v) => v !== "1.0.0"),
    ...(await list(join(root, ".deploykit"))).filter((n) => n.includes("lock") || n.endsWith(".tmp")),
  ];
}

describe("a full disk", () => {
  it("a 40 MB release on a 30 MB tmpfs is E_DISK_FULL during the download, and an 18 MB one during the unpack; no debris, the old release serves", async () => {
    const root = await tmpfs("30m");
    await install({ store: store(), app: "web", version: "1.0.0", root });
    const big = await install({ store: store(), app: "web", version: "2.0.0", root }).catch((e) => e);
    expect(code(big)).toBe("E_DISK_FULL");
    expect(big.hint).toMatch(/Free space/);
    expect(await leftovers(root)).toEqual([]);
    const mid = await install({ store: store(), app: "web", version: "3.0.0", root }).catch((e) => e);
    expect(code(mid)).toBe("E_DISK_FULL");
    expect(await leftovers(root)).toEqual([]);
    expect(await live(root)).toBe("v1.0.0");
    expect((await listInstalled(root)).current).toBe("1.0.0");
    // The space is back: a release that fits installs.
    await install({ store: store(), app: "web", version: "4.0.0", root });
    expect(await live(root)).toBe("v4.0.0");
  }, 120_000);
});

describe("a read-only root", () => {
  it("is E_READ_ONLY before anything changes", async () => {
    const root = await tmpfs("10m");
    await install({ store: store(), app: "web", version: "1.0.0", root });
    execFileSync("mount", ["-o", "remount,ro", root]);
    const error = await install({ store: store(), app: "web", version: "4.0.0", root }).catch((e) => e);
    expect(code(error)).toBe("E_READ_ONLY");
    expect(error.hint).toMatch(/read-write/);
    expect(await live(root)).toBe("v1.0.0");
  });
});

describe("no permission", () => {
  it("an install run as a user who may not write the root is E_PERMISSION", async () => {
    const base = await mkdtemp(join(tmpdir(), "dk-perm-"));
    try {
      await chmod(base, 0o755);
      const root = join(base, "host");
      await mkdir(root, { mode: 0o755 });
      // The store must be readable by that user: a copy under a world-readable dir.
      execFileSync("cp", ["-r", storeDir, join(base, "store")]);
      execFileSync("chmod", ["-R", "a+rX", base]);
      const job = { store: join(base, "store"), root, app: "web", versions: ["1.0.0"], rounds: 1, index: 0 };
      const out = await new Promise<string>((resolve, reject) => {
        const proc = spawn(process.execPath, [CHILD, JSON.stringify(job)], { uid: 65534, gid: 65534 });
        let text = "";
        proc.stdout.on("data", (d) => {
          text += d;
        });
        proc.on("error", reject);
        proc.on("close", () => resolve(text));
      });
      expect(out).toContain('"code":"E_PERMISSION"');
      expect(out).toContain("while installing web under"); // not "while install web"
      expect(await readdir(root)).toEqual([]);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});

describe("a root that cannot be created", () => {
  /** Runs one install in its own process (killed after 20 s: Node's recursive mkdir used to spin forever). */
  const installIn = (root: string) =>
    new Promise<string>((resolve, reject) => {
      const job = { store: storeDir, root, app: "web", versions: ["1.0.0"], rounds: 1, index: 0 };
      const proc = spawn(process.execPath, [CHILD, JSON.stringify(job)], {
        timeout: 20_000,
        killSignal: "SIGKILL",
      });
      let text = "";
      proc.stdout.on("data", (d) => {
        text += d;
      });
      proc.on("error", reject);
      proc.on("close", () => resolve(text));
    });

  it("under /proc is E_PERMISSION at once (it spun at 100 % CPU, deaf to SIGTERM)", async () => {
    expect(await installIn("/proc/deploykit-nope/app")).toContain('"code":"E_PERMISSION"');
  }, 30_000);

  it("through a dangling symlink (an unmounted volume) is E_NOT_A_DIRECTORY, not E_INTERNAL", async () => {
    const base = await mkdtemp(join(tmpdir(), "dk-dangling-"));
    try {
      await symlink("/nonexistent-volume/apps", join(base, "apps"));
      const error = await install({
        store: store(),
        app: "web",
        version: "1.0.0",
        root: join(base, "apps", "web"),
      }).catch((e: unknown) => e);
      expect(code(error)).toBe("E_NOT_A_DIRECTORY");
      expect((error as Error).message).toContain("dangling symlink");
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});

describe("host state left by an older deploy tool", () => {
  it("a current that is a real directory is E_HOST_STATE before anything is written", async () => {
    const root = join(dir, "legacy-refused");
    await mkdir(join(root, "current"), { recursive: true });
    await writeFile(join(root, "current", "app.rb"), "legacy");
    const error = await install({ store: store(), app: "web", version: "1.0.0", root }).catch((e) => e);
    expect(code(error)).toBe("E_HOST_STATE");
    expect(error.hint).toContain("adoptLegacyCurrent");
    expect((await readdir(root)).sort()).toEqual(["current"]);
    expect(await readFile(join(root, "current", "app.rb"), "utf8")).toBe("legacy");
  });

  it("with adoptLegacyCurrent it is moved to releases/legacy-<timestamp>, with an event", async () => {
    const root = join(dir, "legacy-adopted");
    await mkdir(join(root, "current"), { recursive: true });
    await writeFile(join(root, "current", "app.rb"), "legacy");
    const events: DeployEvent[] = [];
    await install({
      store: store(),
      app: "web",
      version: "1.0.0",
      root,
      adoptLegacyCurrent: true,
      onEvent: (e) => events.push(e),
    });
    const legacy = (await readdir(join(root, "releases"))).filter((n) => n.startsWith("legacy-"));
    expect(legacy).toHaveLength(1);
    expect(legacy[0]).toMatch(/^legacy-\d{8}T\d{6}Z$/);
    expect(await readFile(join(root, "releases", legacy[0] as string, "app.rb"), "utf8")).toBe("legacy");
    expect(events.some((e) => e.type === "warning" && e.message.includes(legacy[0] as string))).toBe(true);
    expect(await live(root)).toBe("v1.0.0");
  });

  it("shared/log as a regular file is E_HOST_STATE before anything is written", async () => {
    const root = join(dir, "shared-log-file");
    await mkdir(join(root, "shared"), { recursive: true });
    await writeFile(join(root, "shared", "log"), "old log lines");
    const error = await install({ store: store(), app: "web", version: "1.0.0", root }).catch((e) => e);
    expect(code(error)).toBe("E_HOST_STATE");
    expect(error.message).toContain(join(root, "shared", "log"));
    expect((await readdir(root)).sort()).toEqual(["shared"]);
  });

  it("a damaged state.json is E_STATE_CORRUPT, and its hint works: moved aside, the live version installs again", async () => {
    const root = join(dir, "state-corrupt");
    await install({ store: store(), app: "web", version: "1.0.0", root });
    const statePath = join(root, ".deploykit", "state.json");
    await writeFile(statePath, '{"schemaVersion": 1, "releases": {');
    const error = await install({ store: store(), app: "web", version: "4.0.0", root }).catch((e) => e);
    expect(code(error)).toBe("E_STATE_CORRUPT");
    expect(error.message).toContain(statePath);
    expect(await live(root)).toBe("v1.0.0");
    execFileSync("mv", [statePath, `${statePath}.bad`]);
    await install({ store: store(), app: "web", version: "1.0.0", root });
    expect((await listInstalled(root)).current).toBe("1.0.0");
  });

  it("an app that ships tmp as a symlink to var/tmp gets tmp/pids linked where it resolves", async () => {
    const root = join(dir, "tmp-symlink");
    await install({ store: store(), app: "web", version: "4.0.0", root });
    expect(existsSync(join(root, "current", "tmp", "pids"))).toBe(true);
    await writeFile(join(root, "current", "tmp", "pids", "web.pid"), "123");
    expect(await readFile(join(root, "shared", "tmp", "pids", "web.pid"), "utf8")).toBe("123");
    expect(await readlink(join(root, "current", "tmp"))).toBe("var/tmp");
  });
});
