import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, readlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createFsStore,
  type DeployEvent,
  deploy,
  inspectLock,
  install,
  isDeployKitError,
  listInstalled,
  publish,
  releaseLock,
  restartLive,
} from "@deploykit/core";
import { afterEach, describe, expect, it } from "vitest";
import { makePackage, tempDir } from "./support/package";

const CHILD = fileURLToPath(new URL("./support/install-child.mjs", import.meta.url));
const VERSIONS = ["1.0.0", "2.0.0", "3.0.0"];

let cleanup: (() => Promise<void>) | undefined;
afterEach(() => cleanup?.());

async function published() {
  const tmp = await tempDir("dk-lock-");
  cleanup = tmp.cleanup;
  const storeDir = join(tmp.dir, "store");
  const store = createFsStore({ dir: storeDir });
  for (const v of VERSIONS)
    await publish(
      await makePackage(tmp.dir, "web", v, { "server.js": `v${v}`, "public/a.txt": "a".repeat(4096) }),
      {
        store,
      },
    );
  return { dir: tmp.dir, store, storeDir, root: join(tmp.dir, "host") };
}

/** Runs install-child.mjs; resolves to its JSON lines once it exits. */
function child(
  job: Record<string, unknown>,
): Promise<{ code: number | null; facts: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CHILD, JSON.stringify(job)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (d) => {
      out += d;
    });
    proc.stderr.on("data", (d) => {
      err += d;
    });
    proc.on("error", reject);
    proc.on("close", (code) => {
      if (code !== 0) reject(new Error(`install child exited ${code}: ${err}`));
      else
        resolve({
          code,
          facts: out
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l)),
        });
    });
  });
}

/** This process's lock record fields, as a live holder would write them. */
async function liveRecord(pid: number) {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const startTime = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  const bootId = (await readFile("/proc/sys/kernel/random/boot_id", "utf8")).trim();
  return { pid, host: hostname(), bootId, startTime, since: new Date().toISOString(), token: `t-${pid}` };
}

const warnings = (events: DeployEvent[]) =>
  events.flatMap((e) => (e.type === "warning" ? [e.message] : [])).join("\n");

describe("the deploy lock across processes", () => {
  it("8 processes x 30 installs on one root: never two inside the lock at once", async () => {
    const { storeDir, root, dir } = await published();
    const marker = join(dir, "inside");
    const jobs = Array.from({ length: 8 }, (_, index) =>
      child({ store: storeDir, root, app: "web", versions: VERSIONS, rounds: 30, index, marker }),
    );
    const results = await Promise.all(jobs);
    const done = results.map((r) => r.facts.at(-1) as { installs: number; overlaps: number });
    expect(done.map((d) => d.overlaps)).toEqual(Array(8).fill(0));
    // Most rounds switched releases (a round that found its version live changes nothing).
    expect(done.reduce((n, d) => n + d.installs, 0)).toBeGreaterThan(100);
    expect(existsSync(marker)).toBe(false);
    const state = await listInstalled(root);
    expect(basename(await readlink(join(root, "current")))).toBe(state.current);
    expect((await inspectLock({ root })).held).toBe(false);
  }, 180_000);

  it("7 concurrent install() calls in one process x 30 rounds: never two inside", async () => {
    const { store, root } = await published();
    let overlaps = 0;
    let insideNow = 0;
    for (let round = 0; round < 30; round++) {
      await Promise.all(
        Array.from({ length: 7 }, async (_, i) => {
          let phase: "before" | "inside" | "after" = "before";
          const onEvent = (event: DeployEvent) => {
            if (phase === "before" && event.type !== "warning") {
              phase = "inside";
              if (++insideNow > 1) overlaps++;
            }
            if (phase === "inside" && event.type === "step:finish" && event.step === "switch") {
              phase = "after";
              insideNow--;
            }
          };
          const version = VERSIONS[(round + i) % 3] as string;
          for (;;) {
            try {
              return await install({ store, app: "web", version, root, lockTimeoutMs: 60_000, onEvent });
            } catch (error) {
              if (!isDeployKitError(error, "E_LOCKED")) throw error;
              await new Promise((r) => setTimeout(r, 2));
            }
          }
        }),
      );
    }
    expect(overlaps).toBe(0);
  }, 120_000);

  it("a lock whose pid now belongs to another process (pid reuse) is taken over", async () => {
    const { store, root } = await published();
    // A live, unrelated process holds the recorded pid, but it started at another time.
    const bystander = spawn("sleep", ["30"]);
    try {
      const record = { ...(await liveRecord(bystander.pid as number)), startTime: "1" };
      await mkdir(join(root, ".deploykit"), { recursive: true });
      await writeFile(join(root, ".deploykit", "lock"), JSON.stringify(record));
      expect(await inspectLock({ root })).toMatchObject({ held: true, stale: true });
      const events: DeployEvent[] = [];
      await install({ store, app: "web", version: "1.0.0", root, onEvent: (e) => events.push(e) });
      expect(warnings(events)).toContain(`pid ${bystander.pid} now belongs to another process`);
      expect(bystander.exitCode).toBeNull();
    } finally {
      bystander.kill("SIGKILL");
    }
  });

  it("a lock taken before the last reboot (another boot id) is taken over", async () => {
    const { store, root } = await published();
    const record = { ...(await liveRecord(process.pid)), bootId: "00000000-0000-0000-0000-000000000000" };
    await mkdir(join(root, ".deploykit"), { recursive: true });
    await writeFile(join(root, ".deploykit", "lock"), JSON.stringify(record));
    const events: DeployEvent[] = [];
    await install({ store, app: "web", version: "1.0.0", root, onEvent: (e) => events.push(e) });
    expect(warnings(events)).toContain("rebooted");
  });

  it("a live holder is respected; releaseLock removes it only with force", async () => {
    const { store, root } = await published();
    await mkdir(join(root, ".deploykit"), { recursive: true });
    await writeFile(join(root, ".deploykit", "lock"), JSON.stringify(await liveRecord(process.pid)));
    await expect(install({ store, app: "web", version: "1.0.0", root })).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_LOCKED"),
    );
    expect(await inspectLock({ root })).toMatchObject({
      held: true,
      stale: false,
      owner: { pid: process.pid },
    });
    await expect(releaseLock({ root })).rejects.toSatisfy((e) => isDeployKitError(e, "E_LOCKED"));
    expect(await releaseLock({ root, force: true })).toMatchObject({
      released: true,
      owner: { pid: process.pid },
    });
    expect(await releaseLock({ root })).toMatchObject({ released: false });
    await expect(install({ store, app: "web", version: "1.0.0", root })).resolves.toMatchObject({
      unchanged: false,
    });
  });

  it("restart during a deploy refuses (E_LOCKED), or waits with lockTimeoutMs", async () => {
    const { store, root } = await published();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const restarting = new Promise<void>((resolve) => {
      started = resolve;
    });
    const restarts: string[] = [];
    const slow = {
      name: "slow",
      async restart(ctx: { release: { version: string } }) {
        restarts.push(`deploy ${ctx.release.version}`);
        started();
        await held;
        return { strategy: "slow" };
      },
    };
    const quick = {
      name: "quick",
      async restart(ctx: { release: { version: string } }) {
        restarts.push(`restart ${ctx.release.version}`);
        return { strategy: "quick" };
      },
    };
    const deploying = deploy({ store, app: "web", version: "1.0.0", root, strategy: slow });
    await restarting;
    await expect(restartLive({ root, strategy: quick })).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_LOCKED"),
    );
    const waiting = restartLive({ root, strategy: quick, lockTimeoutMs: 30_000 });
    release();
    await deploying;
    await expect(waiting).resolves.toMatchObject({ strategy: "quick", version: "1.0.0" });
    expect(restarts).toEqual(["deploy 1.0.0", "restart 1.0.0"]);
  });
});
