// The sidekiq part of bench/restart: 100 jobs of 1-3 s, two restarts while they run, then count
// the jobs that completed. Naive baseline: process() (TERM, KILL after 1 s, start), which is
// what an init system with a short stop timeout does. sidekiq(): TSTP, start, TERM, KILL only
// after timeout + 5 s.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { restart, strategyContext } from "@deploykit/core";
import { process as processStrategy, sidekiq } from "@deploykit/runtimes";
import { execa } from "execa";
import { createHost, freePort } from "./hosts.mjs";

const JOBS = 100;
const start = ["sidekiq", "-r", "./worker.rb", "-c", "10", "-t", "8"];

export const sidekiqSuites = [
  {
    name: "naive stop+start (sidekiq)",
    strategy: () =>
      processStrategy({ name: "sidekiq", command: `exec ${start.join(" ")}`, stopTimeoutMs: 1_000 }),
  },
  { name: "sidekiq() TSTP/TERM", strategy: () => sidekiq({ timeout: 8, startCommand: start }) },
];

async function startRedis() {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  const cli = async (...args) =>
    (await execa("redis-cli", ["-p", String(port), ...args], { reject: false })).stdout.trim();
  for (let i = 0; i < 200 && (await cli("ping")) !== "PONG"; i++) await sleep(25);
  return { url: `redis://127.0.0.1:${port}/0`, cli, stop: () => child.kill("SIGTERM") };
}

/** Runs one sidekiq suite; returns { jobs, completed, lost, restartMs[] }. */
export async function runSidekiqSuite(suite) {
  const redis = await startRedis();
  const host = await createHost("sidekiq-app", {});
  const strategy = suite.strategy();
  const env = { REDIS_URL: redis.url };
  const ctxFor = (release) => ({ app: "jobs", root: host.root, release, env });
  try {
    await restart(strategy, ctxFor(await host.activate("1.0.0")));
    await execa("ruby", [join(host.fixtures, "sidekiq-app", "enqueue.rb"), String(JOBS)], { env });
    await sleep(1_500); // let the first process pick up jobs, so the restart interrupts work in flight
    const restartMs = [];
    for (const version of ["2.0.0", "1.0.0"]) {
      const started = performance.now();
      await restart(strategy, ctxFor(await host.activate(version)));
      restartMs.push(performance.now() - started);
    }
    // Wait until the queue is empty and nothing has finished for 5 s (bounded at 90 s).
    let last = -1;
    let quietSince = performance.now();
    const deadline = performance.now() + 90_000;
    while (performance.now() < deadline) {
      const done = Number(await redis.cli("llen", "done"));
      const queued = Number(await redis.cli("llen", "queue:default"));
      if (done >= JOBS) break;
      if (done !== last) quietSince = performance.now();
      if (queued === 0 && performance.now() - quietSince > 5_000) break;
      last = done;
      await sleep(250);
    }
    const ids = new Set(
      (await redis.cli("lrange", "done", "0", "-1"))
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" ")[0]),
    );
    return { jobs: JOBS, completed: ids.size, lost: JOBS - ids.size, restartMs };
  } finally {
    await strategy.stop?.(strategyContext(ctxFor(host.releases["1.0.0"]))).catch(() => {});
    redis.stop();
    await host.remove();
  }
}
