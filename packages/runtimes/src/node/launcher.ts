import { holdUntilHealthy } from "./readiness";

/**
 * The program deploykit's `node()` strategy runs as the cluster primary. It is written out as a
 * self-contained CommonJS file (see {@link launcherSource}), so it uses nothing outside its own
 * body: modules come through `load` (the file's `require`), never through imports. Settings come from the environment:
 *
 * - `DK_NODE_CURRENT`: the `current` symlink; each generation resolves it again.
 * - `DK_NODE_SCRIPT` / `DK_NODE_ARGS` (JSON array): the app, relative to the release.
 * - `DK_NODE_WORKERS`, `DK_NODE_READY` (`listening` | `message`), `DK_NODE_READY_TIMEOUT`,
 *   `DK_NODE_KILL_TIMEOUT` (ms), `DK_NODE_STATE` (JSON file the strategy polls).
 * - `DK_NODE_REQUEST`: a JSON file `{ readyTimeoutMs }` the strategy writes before each restart;
 *   a generation takes its ready timeout (ms) from it, so each deploy's own bound applies to the
 *   launcher it HUPs (`DK_NODE_READY_TIMEOUT`, from the launch, when the file says none; it
 *   also bounds the replacement of a worker that died).
 *
 * The same file runs in each worker (see `workerMain`) in front of the app. A new worker joins the
 * shared socket only after it passed the health check through a private door (`DK_NODE_HEALTH`,
 * see {@link holdUntilHealthy}), so its `listening` means "healthy", not just "bound".
 * The primary holds the listening socket. SIGHUP starts a new generation: fork workers from the
 * release `current` points at now, wait until each is listening (or sent "ready"), then
 * `disconnect()` the old ones (they stop accepting and finish open requests; KILL after the kill
 * timeout). A new worker that exits or misses the ready timeout is killed and the old
 * generation keeps serving; the state file says `failed` and why. SIGUSR2 cancels a generation
 * that is still starting (an aborted restart). SIGTERM/SIGINT stop everything.
 */
function launcherMain(load: NodeJS.Require, holdUntilHealthy: (load: NodeJS.Require) => void): void {
  /**
   * Worker side: runs the app as the main module, and once told to drain, answers every
   * further request with `Connection: close` and keeps idle keep-alive connections open
   * (closing them would race with a request already on the wire) until they close or the
   * kill timeout ends the worker.
   */
  function workerMain(require: NodeJS.Require): void {
    let draining = false;
    for (const Server of [require("node:http").Server, require("node:https").Server]) {
      const emit = Server.prototype.emit;
      Server.prototype.emit = function (this: unknown, event: string, ...args: unknown[]) {
        if (event === "request" && draining)
          (args[1] as { shouldKeepAlive: boolean }).shouldKeepAlive = false;
        return emit.call(this, event, ...args);
      } as typeof emit;
      const closeIdle = Server.prototype.closeIdleConnections;
      Server.prototype.closeIdleConnections = function (this: unknown) {
        if (!draining) closeIdle.call(this);
      };
    }
    process.on("message", (message) => {
      if (message === "deploykit:drain") draining = true;
    });
    holdUntilHealthy(require);
    process.argv.splice(1, 1);
    (require("node:module") as unknown as { runMain(): void }).runMain();
  }

  const cluster = load("node:cluster") as typeof import("node:cluster").default;
  const fs = load("node:fs") as typeof import("node:fs");
  const path = load("node:path") as typeof import("node:path");
  if (cluster.isWorker) {
    workerMain(load);
    return;
  }
  const env = process.env;
  const settings = {
    current: String(env.DK_NODE_CURRENT),
    script: String(env.DK_NODE_SCRIPT),
    args: JSON.parse(env.DK_NODE_ARGS ?? "[]") as string[],
    workers: Number(env.DK_NODE_WORKERS ?? 1),
    readyOn: env.DK_NODE_READY === "message" ? "message" : "listening",
    readyTimeout: Number(env.DK_NODE_READY_TIMEOUT ?? 30_000),
    killTimeout: Number(env.DK_NODE_KILL_TIMEOUT ?? 5_000),
    stateFile: String(env.DK_NODE_STATE),
    requestFile: env.DK_NODE_REQUEST ?? "",
  };
  // Out of the release it was started from: the primary holds the socket for every release, so
  // its cwd must not pin one (core's gate and pruning read /proc/<pid>/cwd).
  process.chdir(path.dirname(settings.current));
  type Worker = import("node:cluster").Worker;
  const launcherFile = process.argv[1] ?? "";
  let generation = 0;
  let live: Worker[] = [];
  let busy = false;
  let again = false;
  let stopping = false;
  const retired = new Set<Worker>();
  const pending = new Set<(why: string) => void>();

  const log = (line: string) => console.log(`[deploykit-node ${process.pid}] ${line}`);
  const writeState = (status: string, extra: Record<string, unknown> = {}) => {
    const state = { pid: process.pid, generation, status, workers: live.map((w) => w.process.pid), ...extra };
    const temp = `${settings.stateFile}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(state));
    fs.renameSync(temp, settings.stateFile);
  };
  const retire = (worker: Worker) => {
    retired.add(worker);
    const timer = setTimeout(() => worker.process.kill("SIGKILL"), settings.killTimeout);
    worker.once("exit", () => clearTimeout(timer));
    worker.send("deploykit:drain");
    worker.disconnect();
  };

  /** The ready timeout (ms) the restart asked for in the request file, else the launch's. */
  const askedReadyTimeout = (): number => {
    try {
      const asked = Number(JSON.parse(fs.readFileSync(settings.requestFile, "utf8")).readyTimeoutMs);
      return asked > 0 ? asked : settings.readyTimeout;
    } catch {
      return settings.readyTimeout;
    }
  };

  const spawnOne = (dir: string, readyTimeout = settings.readyTimeout): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const script = path.join(dir, settings.script);
      cluster.setupPrimary({ exec: launcherFile, args: [script, ...settings.args], cwd: dir } as never);
      const worker = cluster.fork();
      let probed = "";
      const timer = setTimeout(
        () => fail(`not ready after ${readyTimeout} ms${probed && ` (health check: ${probed})`}`),
        readyTimeout,
      );
      const done = () => {
        pending.delete(fail);
        clearTimeout(timer);
        worker.off("exit", onExit);
        resolve(worker);
      };
      const fail = (why: string) => {
        pending.delete(fail);
        clearTimeout(timer);
        worker.off("exit", onExit);
        worker.process.kill("SIGKILL");
        reject(new Error(`worker ${worker.process.pid} ${why}`));
      };
      const onExit = (code: number | null, signal: string | null) =>
        fail(`exited (${signal ?? code}) before it was ready`);
      worker.once("exit", onExit);
      worker.on("message", (m: { deploykit?: string; seen?: string } | null) => {
        if (m?.deploykit === "probe") probed = String(m.seen);
      });
      pending.add(fail);
      if (settings.readyOn === "message") worker.on("message", (m) => m === "ready" && done());
      else worker.once("listening", done);
    });

  const nextGeneration = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    generation += 1;
    let dir = "";
    try {
      dir = fs.realpathSync(settings.current);
      const readyTimeout = askedReadyTimeout();
      writeState("starting", { dir });
      const results = await Promise.allSettled(
        Array.from({ length: settings.workers }, () => spawnOne(dir, readyTimeout)),
      );
      const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
      if (failure) {
        for (const worker of started) worker.process.kill("SIGKILL");
        throw failure.reason;
      }
      const old = live;
      live = started;
      for (const worker of old) retire(worker);
      log(`generation ${generation} ready from ${dir}`);
      writeState("ready", { dir, retired: old.map((w) => w.process.pid) });
    } catch (error) {
      log(`generation ${generation} failed: ${(error as Error).message}`);
      writeState("failed", { dir, error: String((error as Error).message) });
      if (live.length === 0) process.exit(1);
    } finally {
      busy = false;
      if (again) {
        again = false;
        void nextGeneration();
      }
    }
  };

  cluster.on("exit", (worker, code, signal) => {
    retired.delete(worker);
    if (stopping || !live.includes(worker)) return;
    log(`worker ${worker.process.pid} died (${signal ?? code}); replacing it`);
    live = live.filter((w) => w !== worker);
    spawnOne(fs.realpathSync(settings.current)).then(
      (fresh) => {
        live.push(fresh);
        writeState("ready");
      },
      (error: Error) => log(`replacement failed: ${error.message}`),
    );
  });
  const stop = () => {
    stopping = true;
    for (const worker of live) retire(worker);
    live = [];
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(check);
        process.exit(0);
      }
    }, 20);
  };
  process.on("SIGHUP", () => void nextGeneration());
  process.on("SIGUSR2", () => {
    for (const fail of [...pending]) fail("cancelled by deploykit");
  });
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  void nextGeneration();
}

/** The launcher as a standalone CommonJS program, written to the host before it is started. */
export function launcherSource(): string {
  return `"use strict";\n// Written by @deploykit/runtimes node(): the cluster primary that holds the socket.\n(${launcherMain.toString()})(require, ${holdUntilHealthy.toString()});\n`;
}
