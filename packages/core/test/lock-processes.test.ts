import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, readlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createFsStore,
  type DeployEvent,
  inspectLock,
  install,
  isDeployKitError,
  listInstalled,
  publish,
  releaseLock,
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

interface Child {
  /** Resolves to the child's JSON lines once it exits 0. */
  done: Promise<Record<string, unknown>[]>;
  /** Lets the child start its next round. */
  go(): void;
  /** Rounds the child has finished. */
  finished(): number;
  /** True once the child has loaded deploykit and waits for its first round. */
  ready(): boolean;
  /** No more rounds. */
  end(): void;
}

/** Starts install-child.mjs with `job`. */
function child(job: Record<string, unknown>, onLine: () => void): Child {
  const proc = spawn(process.execPath, [CHILD, JSON.stringify(job)], { stdio: ["pipe", "pipe", "pipe"] });
  const facts: Record<string, unknown>[] = [];
  let rounds = 0;
  let err = "";
  let partial = "";
  proc.stdout.on("data", (d) => {
    const lines = (partial + d).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      const fact = JSON.parse(line) as Record<string, unknown>;
      facts.push(fact);
      if ("round" in fact) rounds++;
      onLine();
    }
  });
  proc.stderr.on("data", (d) => {
    err += d;
  });
  const done = new Promise<Record<string, unknown>[]>((resolve, reject) => {
    proc.on("error", reject);
    proc.on("close", (code) =>
      code === 0 ? resolve(facts) : reject(new Error(`install child exited ${code}: ${err}`)),
    );
  });
  return {
    done,
    go: () => proc.stdin.write("go\n"),
    finished: () => rounds,
    ready: () => facts.some((f) => "ready" in f),
    end: () => proc.stdin.end(),
  };
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
  it("8 processes x 30 rounds on one root, each round started at once: never two inside the lock", async () => {
    const { storeDir, root, dir } = await published();
    const marker = join(dir, "inside");
    const job = { store: storeDir, root, app: "web", versions: VERSIONS, rounds: 30, marker, barrier: true };
    let started = 0;
    // A round starts in all 8 processes together once each has finished the previous one.
    const next = () => {
      if (children.length < 8 || !children.every((c) => c.ready() && c.finished() >= started)) return;
      if (started === 30) for (const c of children) c.end();
      else {
        started++;
        for (const c of children) c.go();
      }
    };
    const children: Child[] = [];
    for (let index = 0; index < 8; index++) children.push(child({ ...job, index }, next));
    next();
    const results = await Promise.all(children.map((c) => c.done));
    const done = results.map((facts) => facts.at(-1) as { installs: number; overlaps: number });
    expect(started).toBe(30);
    expect(done.map((d) => d.overlaps)).toEqual(Array(8).fill(0));
    // Most rounds switched releases (a round that found its version live changes nothing).
    expect(done.reduce((n, d) => n + d.installs, 0)).toBeGreaterThan(100);
    expect(existsSync(marker)).toBe(false);
    const state = await listInstalled(root);
    expect(basename(await readlink(join(root, "current")))).toBe(state.current);
    expect((await inspectLock({ root })).held).toBe(false);
  }, 180_000);

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
});
