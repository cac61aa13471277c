// bench/restart: requests, errors and restart-to-new-version latency of each zero-downtime
// strategy under load (autocannon, 50 connections on loopback), next to a naive stop-then-start
// restart of the same app (process(): TERM, then start) as the baseline; and jobs completed /
// lost across sidekiq restarts, next to a naive TERM + KILL-after-1-s restart. Exits 1 when a
// zero-downtime strategy drops a request or sidekiq() loses a job. Uses the BUILT packages.
import { fork } from "node:child_process";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { restart, strategyContext } from "@deploykit/core";
import { node, pm2, process as processStrategy, unicorn } from "@deploykit/runtimes";
import { execa } from "execa";
import { createHost, freePort } from "./hosts.mjs";
import { runSidekiqSuite, sidekiqSuites } from "./sidekiq.mjs";

const RESTARTS = 4;
const CONNECTIONS = 50;
const pm2Bin = new URL("../../node_modules/.bin/pm2", import.meta.url).pathname;

const suites = [
  {
    name: "naive stop+start (node app)",
    family: "node",
    fixture: "node-app",
    processes: { web: "node server.js" },
    strategy: ({ port }) => processStrategy({ port, stopTimeoutMs: 5_000 }),
  },
  {
    name: "node() cluster launcher",
    family: "node",
    fixture: "node-app",
    processes: { web: "node server.js" },
    strategy: ({ port }) => node({ port, workers: 2, healthcheck: `http://127.0.0.1:${port}/health` }),
  },
  {
    name: "pm2() cluster + wait_ready",
    family: "node",
    fixture: "node-app",
    processes: { web: "node server.js" },
    strategy: ({ port, host }) =>
      pm2({
        name: "bench",
        bin: pm2Bin,
        home: join(host.root, "pm2"),
        port,
        instances: 2,
        healthcheck: `http://127.0.0.1:${port}/health`,
      }),
    teardown: ({ host }) =>
      execa(pm2Bin, ["kill"], { env: { PM2_HOME: join(host.root, "pm2") }, reject: false }),
  },
  {
    name: "naive stop+start (unicorn)",
    family: "unicorn",
    fixture: "rack-app",
    processes: {},
    env: ({ host, port }) => ({ DK_ROOT: host.root, DK_PORT: String(port) }),
    prepare: ({ host }) =>
      copyFile(join(host.fixtures, "rack-app", "unicorn.rb"), join(host.root, "shared", "unicorn.rb")),
    strategy: ({ host }) =>
      processStrategy({
        name: "unicorn",
        command: `unicorn -E none -c ${join(host.root, "shared", "unicorn.rb")}`,
        stopTimeoutMs: 5_000,
        pidFile: join(host.root, "shared/tmp/pids/naive.pid"),
      }),
    ready: true,
  },
  {
    name: "unicorn() USR2 upgrade",
    family: "unicorn",
    fixture: "rack-app",
    processes: {},
    env: ({ host, port }) => ({ DK_ROOT: host.root, DK_PORT: String(port) }),
    prepare: ({ host }) =>
      copyFile(join(host.fixtures, "rack-app", "unicorn.rb"), join(host.root, "shared", "unicorn.rb")),
    strategy: ({ host, port }) =>
      unicorn({
        healthcheck: `http://127.0.0.1:${port}/health`,
        expectVersion: true,
        workers: 2,
        startCommand: `unicorn -E none -D -c ${join(host.root, "shared", "unicorn.rb")}`,
      }),
  },
];

async function startLoad(url) {
  const child = fork(new URL("./load.mjs", import.meta.url).pathname, [url, String(CONNECTIONS)]);
  const messages = [];
  let wake = () => {};
  child.on("message", (m) => {
    messages.push(m);
    wake();
  });
  const next = async () => {
    while (messages.length === 0) await new Promise((resolve) => (wake = resolve));
    return messages.shift();
  };
  await next();
  const started = performance.now();
  return {
    async stop() {
      child.send("stop");
      return { ...(await next()), seconds: (performance.now() - started) / 1000 };
    },
  };
}

const served = (url) =>
  fetch(url, { headers: { connection: "close" } }).then(
    (r) => r.text().then((t) => t.trim()),
    () => "",
  );

async function waitServing(url, version, deadlineMs = 30_000) {
  const start = performance.now();
  while ((await served(url)) !== version) {
    if (performance.now() - start > deadlineMs) throw new Error(`${url} never served ${version}`);
    await sleep(10);
  }
}

async function runSuite(suite) {
  const port = await freePort();
  const host = await createHost(suite.fixture, suite.processes);
  const args = { host, port };
  await suite.prepare?.(args);
  const strategy = suite.strategy(args);
  const env = suite.env?.(args) ?? {};
  const url = `http://127.0.0.1:${port}/`;
  const ctxFor = (release) => ({ app: "web", root: host.root, release, env });
  try {
    await restart(strategy, ctxFor(await host.activate("1.0.0")));
    await waitServing(url, "1.0.0");
    const load = await startLoad(url);
    const latencies = [];
    const durations = [];
    for (let i = 0; i < RESTARTS; i++) {
      const version = i % 2 === 0 ? "2.0.0" : "1.0.0";
      const release = await host.activate(version);
      const started = performance.now();
      const restarting = restart(strategy, ctxFor(release));
      await waitServing(url, version);
      latencies.push(performance.now() - started);
      await restarting;
      durations.push(performance.now() - started);
    }
    const figures = await load.stop();
    return { ...figures, latencies, durations };
  } finally {
    await strategy.stop?.(strategyContext(ctxFor(host.releases["1.0.0"]))).catch(() => {});
    await suite.teardown?.(args);
    await host.remove();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const ms = (x) => `${Math.round(x)} ms`;
const rows = [];
let missed = false;
for (const suite of suites) {
  process.stdout.write(`running ${suite.name} (${RESTARTS} restarts under ${CONNECTIONS} connections)...\n`);
  const result = await runSuite(suite);
  rows.push({ suite, result });
}

const baselineOf = (family) =>
  rows.find((r) => r.suite.family === family && r.suite.name.startsWith("naive"));
const table = rows.map(({ suite, result }) => {
  const base = baselineOf(suite.family).result;
  const isBaseline = suite.name.startsWith("naive");
  const failed = result.errors + result.non2xx;
  if (!isBaseline && failed > 0) missed = true;
  return {
    strategy: suite.name,
    requests: result.requests,
    "req/s": Math.round(result.requests / result.seconds),
    "socket errors": result.errors,
    "non-2xx": result.non2xx,
    "failed / baseline": isBaseline ? "baseline" : `${failed} / ${base.errors + base.non2xx}`,
    "switch median": ms(median(result.latencies)),
    "switch max": ms(Math.max(...result.latencies)),
    "switch vs baseline": isBaseline
      ? "1.00x"
      : `${(median(result.latencies) / median(base.latencies)).toFixed(2)}x`,
    "restart median": ms(median(result.durations)),
  };
});
console.table(table);

const jobRows = [];
for (const suite of sidekiqSuites) {
  process.stdout.write(`running ${suite.name} (100 jobs of 1-3 s, 2 restarts while they run)...\n`);
  jobRows.push({ suite, result: await runSidekiqSuite(suite) });
}
const jobBase = jobRows[0].result;
console.table(
  jobRows.map(({ suite, result }, i) => {
    if (i > 0 && result.lost > 0) missed = true;
    return {
      strategy: suite.name,
      jobs: result.jobs,
      completed: result.completed,
      lost: result.lost,
      "lost / baseline": i === 0 ? "baseline" : `${result.lost} / ${jobBase.lost}`,
      "restart median": ms(median(result.restartMs)),
    };
  }),
);
console.log(
  missed
    ? "MISSED: a zero-downtime strategy failed requests, or sidekiq() lost jobs."
    : "OK: every zero-downtime strategy served every request and sidekiq() lost no job; the baselines show what stop+start costs.",
);
process.exit(missed ? 1 : 0);
