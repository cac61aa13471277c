import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createFsStore, type DeployEvent, isDeployKitError, publish } from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePackage, tempDir } from "./support/package";

// The filesystem store's directory refusing a publish — full, not writable, or the publish
// cancelled — is a typed error (as install's host root is), and the store is left as it was.
// Real mounts and a real unprivileged user (the tests run as root, as CI does).

const CHILD = fileURLToPath(new URL("./support/publish-child.mjs", import.meta.url));
const mounts: string[] = [];
let ws: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  ws = await tempDir("dk-store-faults-");
});
afterAll(async () => {
  for (const mnt of mounts) {
    execFileSync("umount", ["-l", mnt]);
    await rm(mnt, { recursive: true, force: true });
  }
  await ws?.cleanup();
});

const code = (error: unknown) => (isDeployKitError(error) ? error.code : String(error));
/** Every entry under `dir` but the writer's own temp folder. */
const entries = async (dir: string) =>
  (await readdir(dir, { recursive: true }).catch(() => [] as string[])).filter(
    (name) => !name.startsWith(".deploykit-tmp"),
  );

describe("a publish to the filesystem store", () => {
  it("on a full disk is E_DISK_FULL and leaves nothing", async () => {
    const mnt = await mkdtemp(join(tmpdir(), "dk-store-tmpfs-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt]);
    mounts.push(mnt);
    // Random bytes do not compress: a 3 MB artifact.
    const pkg = await makePackage(ws.dir, "web", "1.0.0", { "blob.bin": randomBytes(3 * 1024 * 1024) });
    const error = await publish(pkg, { store: createFsStore({ dir: mnt }) }).catch((e: unknown) => e);
    expect(code(error)).toBe("E_DISK_FULL");
    expect((error as { hint?: string }).hint).toContain("store directory");
    expect(await entries(mnt)).toEqual([]);
  });

  it("by a user who may not write the store directory is E_PERMISSION", async () => {
    const base = await mkdtemp(join(tmpdir(), "dk-store-perm-"));
    try {
      const store = join(base, "store");
      await mkdir(store);
      const pkg = await makePackage(base, "web", "1.0.0", { "server.js": "v1" });
      execFileSync("chmod", ["-R", "a+rX", base]);
      await chmod(store, 0o755);
      const job = JSON.stringify({ store, pkg });
      const { stdout } = await promisify(execFile)(process.execPath, [CHILD, job], {
        uid: 65534,
        gid: 65534,
        timeout: 20_000,
      });
      expect(JSON.parse(stdout)).toEqual({ code: "E_PERMISSION" });
      expect(await readdir(store)).toEqual([]);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it("cancelled halfway through the upload (Ctrl-C) is E_ABORTED and leaves nothing", async () => {
    const dir = join(ws.dir, "abort");
    const pkg = await makePackage(dir, "web", "1.0.0", { "blob.bin": randomBytes(8 * 1024 * 1024) });
    const controller = new AbortController();
    const onEvent = (e: DeployEvent) => {
      if (e.type === "progress" && e.step === "upload") controller.abort(new Error("Interrupted by SIGINT"));
    };
    const store = join(dir, "store");
    const error = await publish(pkg, {
      store: createFsStore({ dir: store }),
      onEvent,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(code(error)).toBe("E_ABORTED");
    expect(await entries(store)).toEqual([]);
    expect(existsSync(join(store, "apps"))).toBe(false);
  });
});
