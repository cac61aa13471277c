import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { copyFile, mkdir, readFile, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  createFsStore,
  type DeployEvent,
  deploy,
  isDeployKitError,
  liveRelease,
  type RuntimeStrategy,
  restart,
  strategyContext,
} from "@deploykit/core";
import { node, process as processStrategy, sidekiq, signal, unicorn } from "@deploykit/runtimes";
import { execa } from "execa";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { eventually } from "../../../test-support/eventually";
import { tempDirs } from "../../../test-support/temp-dir";
import { staleReason } from "../src/internal/pid";
import { fetchText, fixture, freePort } from "./support/host";
import { nodeAppHost } from "./support/node-app-host";
import { startRedis } from "./support/redis";
import { publishFixture } from "./support/releases";

// Issue 10 item 5: a pid file holding the pid of an unrelated live process (`sleep 300`, as
// after a reboot or pid reuse). Every strategy that signals a pid read from a file must leave it
// alone, say so in a warning, and start the app fresh.

const bystanders: ChildProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
const temp = tempDirs("dk-stale-");
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});
afterAll(async () => {
  await temp.cleanup();
  for (const child of bystanders)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Starts an unrelated `sleep 300` outside any app root. `argv0` renames it (`exec -a`). */
async function startBystander(argv0?: string): Promise<number> {
  const child =
    argv0 === undefined
      ? spawn("sleep", ["300"], { cwd: "/", stdio: "ignore" })
      : spawn("bash", ["-c", `exec -a ${argv0} sleep 300`], { cwd: "/", stdio: "ignore" });
  bystanders.push(child);
  await once(child, "spawn");
  // `exec -a` replaces bash: wait until the process shows its new name.
  if (argv0 !== undefined) {
    await eventually(`${argv0} to replace bash`, async () =>
      (await readFile(`/proc/${child.pid}/cmdline`, "utf8")).startsWith(argv0),
    );
  }
  return child.pid as number;
}

/** Alive and not stopped (a TSTP would leave it in state T). */
async function untouched(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  return state !== undefined && state !== "" && !"TtZX".includes(state);
}

async function writePid(file: string, pid: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${pid}\n`);
}

const staleWarnings = (events: DeployEvent[]) =>
  events
    .filter((e) => e.type === "warning" && e.message.includes("is stale"))
    .map((e) => (e as { message: string }).message);

async function tempRoot(label: string): Promise<{ work: string; root: string }> {
  const work = await temp.make(label);
  return { work, root: join(work, "host") };
}

const stopAfter = (strategy: RuntimeStrategy, root: string, app: string) =>
  cleanups.push(async () => {
    // The live release's real manifest: the strategy checks the pid file against its Procfile line.
    const { release } = await liveRelease(root);
    await strategy.stop?.(strategyContext({ app, root, release }));
  });

describe("a pid file holding an unrelated live process", () => {
  it("process(): the bystander survives, the app starts and serves", async () => {
    const { work, root } = await tempRoot("process");
    const store = createFsStore({ dir: join(work, "store") });
    await publishFixture(store, "web", "node-app", "1.0.0");
    const port = await freePort();
    const strategy = processStrategy({ port, stopTimeoutMs: 5_000 });
    stopAfter(strategy, root, "web");
    const bystander = await startBystander();
    await writePid(join(root, "shared/tmp/pids/web.pid"), bystander);
    const events: DeployEvent[] = [];
    const result = await deploy({
      store,
      app: "web",
      version: "1.0.0",
      root,
      strategy,
      onEvent: (e) => events.push(e),
    });
    expect(result.rolledBack, String(result.cause?.message)).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
    expect(await untouched(bystander)).toBe(true);
    expect(result.restart?.details?.previousPid).toBeUndefined();
    expect(staleWarnings(events)).toEqual([
      expect.stringMatching(/pid \d+ is `sleep 300`, not web \(node server\.js\)/),
    ]);
  });

  it("signal(): the bystander gets no signal; the restart fails saying the pid file is stale", async () => {
    const { root } = await tempRoot("signal");
    const pidFile = join(root, "shared/tmp/pids/puma.pid");
    const bystander = await startBystander();
    await writePid(pidFile, bystander);
    const events: DeployEvent[] = [];
    const release = { version: "1.0.0", dir: join(root, "current"), manifest: { processes: {} } as never };
    const error = await restart(signal({ pidFile, signal: "SIGUSR1" }), {
      app: "web",
      root,
      release,
      onEvent: (e) => events.push(e),
    }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_RESTART_FAILED")).toBe(true);
    expect((error as Error).message).toMatch(/the pid file is stale \(pid \d+ is `sleep 300`, not puma/);
    expect(await untouched(bystander)).toBe(true);
    expect(staleWarnings(events)).toHaveLength(1);
  });

  it("unicorn(): the bystander survives, a fresh master starts and serves", async () => {
    const { work, root } = await tempRoot("unicorn");
    const store = createFsStore({ dir: join(work, "store") });
    await publishFixture(store, "rack", "rack-app", "1.0.0", { processes: {} });
    await mkdir(join(root, "shared"), { recursive: true });
    await copyFile(join(fixture("rack-app"), "unicorn.rb"), join(root, "shared", "unicorn.rb"));
    const port = await freePort();
    const strategy = unicorn({
      healthcheck: `http://127.0.0.1:${port}/health`,
      timeout: 30,
      startCommand: `unicorn -E none -D -c ${join(root, "shared", "unicorn.rb")}`,
    });
    stopAfter(strategy, root, "rack");
    const bystander = await startBystander();
    await writePid(join(root, "shared/tmp/pids/unicorn.pid"), bystander);
    const events: DeployEvent[] = [];
    const result = await deploy({
      store,
      app: "rack",
      version: "1.0.0",
      root,
      strategy,
      env: { DK_ROOT: root, DK_PORT: String(port) },
      onEvent: (e) => events.push(e),
    });
    expect(result.rolledBack, String(result.cause?.message)).toBe(false);
    expect(result.restart?.details?.mode).toBe("start");
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
    expect(await untouched(bystander)).toBe(true);
    expect(staleWarnings(events)).toEqual([expect.stringMatching(/is `sleep 300`, not a unicorn master/)]);
  }, 120_000);

  it("sidekiq(): the bystander survives, a fresh sidekiq boots and runs a job (real redis)", async () => {
    const { work, root } = await tempRoot("sidekiq");
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const store = createFsStore({ dir: join(work, "store") });
    await publishFixture(store, "jobs", "sidekiq-app", "1.0.0", { processes: {} });
    const strategy = sidekiq({
      timeout: 5,
      startCommand: ["sidekiq", "-r", "./worker.rb", "-c", "2", "-t", "5"],
    });
    stopAfter(strategy, root, "jobs");
    const bystander = await startBystander();
    await writePid(join(root, "shared/tmp/pids/sidekiq.pid"), bystander);
    const events: DeployEvent[] = [];
    const result = await deploy({
      store,
      app: "jobs",
      version: "1.0.0",
      root,
      strategy,
      env: { REDIS_URL: redis.url },
      onEvent: (e) => events.push(e),
    });
    expect(result.rolledBack, String(result.cause?.message)).toBe(false);
    expect(result.restart?.details?.oldPid).toBeUndefined();
    await execa("ruby", [join(fixture("sidekiq-app"), "enqueue.rb"), "1"], { env: { REDIS_URL: redis.url } });
    await eventually("the job to be done", async () => (await redis.cli("llen", "done")) === "1", {
      timeoutMs: 60_000,
    });
    expect(await untouched(bystander)).toBe(true);
    expect(staleWarnings(events)).toEqual([expect.stringMatching(/is `sleep 300`, not sidekiq/)]);
  }, 120_000);

  it("node(): the bystander survives, a fresh launcher starts and serves", async () => {
    const host = await nodeAppHost("dk-stale-node-");
    const strategy = node({ port: host.port, workers: 1, timeout: 20 });
    cleanups.push(() => host.dispose(strategy));
    const bystander = await startBystander();
    await writePid(join(host.root, "shared/tmp/pids/node.pid"), bystander);
    const events: DeployEvent[] = [];
    const result = await deploy({
      store: host.store,
      app: "web",
      version: "1.0.0",
      root: host.root,
      strategy,
      onEvent: (e) => events.push(e),
    });
    expect(result.rolledBack, String(result.cause?.message)).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${host.port}/`)).toBe("1.0.0");
    expect(await untouched(bystander)).toBe(true);
    expect(staleWarnings(events)).toHaveLength(1);
  }, 120_000);

  it("a reused pid: a process named like the app that started after the pid file was written is stale", async () => {
    const { root } = await tempRoot("reused");
    const pidFile = join(root, "shared/tmp/pids/unicorn.pid");
    const lookalike = await startBystander("unicorn");
    await writePid(pidFile, lookalike);
    const release = { version: "1.0.0", dir: join(root, "current"), manifest: { processes: {} } as never };
    const events: DeployEvent[] = [];
    const ctx = strategyContext({ app: "rack", root, release, onEvent: (e) => events.push(e) });
    // Written after it started, the pid file names it: its command line says unicorn.
    expect(await unicorn().status?.(ctx)).toMatchObject({ running: true, pids: [lookalike] });
    // Written an hour before it started: the pid was reused.
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(pidFile, hourAgo, hourAgo);
    expect(await unicorn().status?.(ctx)).toEqual({ running: false });
    expect(staleWarnings(events)).toEqual([
      expect.stringMatching(/after the pid file was written .*: the pid was reused/),
    ]);
    expect(await untouched(lookalike)).toBe(true);
  });
});

describe("staleReason (pure)", () => {
  const expected = { what: "a unicorn master", words: ["unicorn"] };
  it("trusts unknown facts, a matching command line, or a process working inside the app's root", () => {
    expect(staleReason(7, {}, expected)).toBeUndefined();
    expect(staleReason(7, { cmdline: ["unicorn master -c config/unicorn.rb"] }, expected)).toBeUndefined();
    expect(staleReason(7, { cmdline: ["ruby", "/usr/bin/unicorn", "-D"] }, expected)).toBeUndefined();
    expect(
      staleReason(
        7,
        {
          cmdline: ["puma 6.4.0 (tcp://0.0.0.0:3000) [current]"],
          cwd: "/srv/app/releases/2",
          root: "/srv/app",
        },
        expected,
      ),
    ).toBeUndefined();
  });

  it("is stale for another program, a kernel thread, or a start after the pid file's mtime (beyond the slack)", () => {
    expect(staleReason(7, { cmdline: ["sleep", "300"], cwd: "/srv/other", root: "/srv/app" }, expected)).toBe(
      "pid 7 is `sleep 300`, not a unicorn master",
    );
    expect(
      staleReason(
        7,
        { cmdline: ["/srv/application/x"], cwd: "/srv/application", root: "/srv/app" },
        expected,
      ),
    ).toMatch(/not a unicorn/);
    expect(staleReason(7, { cmdline: [] }, expected)).toBe("pid 7 is a kernel thread, not a unicorn master");
    const facts = { cmdline: ["unicorn master"], pidFileMtimeMs: 1_000_000 };
    expect(staleReason(7, { ...facts, startedAtMs: 1_001_500 }, expected)).toBeUndefined();
    expect(staleReason(7, { ...facts, startedAtMs: 1_003_000 }, expected)).toMatch(/the pid was reused$/);
  });
});
