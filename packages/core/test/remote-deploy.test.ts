import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import {
  type ArtifactStore,
  createFsStore,
  deploy,
  type HostConnection,
  hostPorts,
  liveRelease,
  probeHealth,
  publish,
  type RuntimeStrategy,
  restartLive,
  rollback,
  type StrategyContext,
  sshHost,
  status,
  strategyContext,
  waitUntil,
} from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHosts, type TestHost, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { makePackage } from "./support/package";

const ROOT = "/srv/web";
const PORT = 8080;
const URL = `http://127.0.0.1:${PORT}/`;
const PID_FILE = `${ROOT}/shared/tmp/pids/web.pid`;

/** A tiny HTTP server in perl (perl-base is on every Debian/Ubuntu host, even the bare one). */
const SERVER = `use IO::Socket::INET;
my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0], Listen => 20, ReuseAddr => 1)
  or die "listen: $!";
while (my $c = $s->accept) {
  while (my $l = <$c>) { last if $l =~ /^\\r?\\n$/ }
  my $body = "v$ENV{VERSION}\\n";
  print $c "HTTP/1.0 200 OK\\r\\nContent-Length: " . length($body) . "\\r\\nConnection: close\\r\\n\\r\\n$body";
  close $c;
}
`;

/**
 * A strategy written the way another team would write one, against the context only (its
 * runner, process table, probe, clock and host): it knows nothing about SSH.
 */
const perlWeb: RuntimeStrategy = {
  name: "perl-web",
  async restart(ctx) {
    await this.stop?.(ctx);
    const { pid } = await ctx.runner.spawnDetached("perl", ["server.pl", String(PORT)], {
      cwd: ctx.release.dir,
      logFile: `${ctx.root}/shared/log/web.log`,
      env: { VERSION: ctx.release.version },
    });
    await ctx.host.writeFile(PID_FILE, `${pid}\n`);
    const seen = await waitUntil(
      ctx.clock,
      async () => {
        if (!(await ctx.processes.isAlive(pid))) return "exited at boot";
        return (await probeHealth(ctx.probe, URL)).ok ? "up" : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    if (seen !== "up") throw new Error(`the server ${seen ?? "did not answer in time"}`);
    return { strategy: "perl-web", pids: [pid] };
  },
  async status(ctx) {
    const pid = await ctx.processes.readPidFile(PID_FILE);
    return pid !== undefined && (await ctx.processes.isAlive(pid))
      ? { running: true, pids: [pid] }
      : { running: false };
  },
  async stop(ctx: StrategyContext) {
    const pid = await ctx.processes.readPidFile(PID_FILE);
    if (pid === undefined || !(await ctx.processes.kill(pid, "SIGTERM"))) return;
    await waitUntil(ctx.clock, async () => !(await ctx.processes.isAlive(pid)), { timeoutMs: 5_000 });
  },
};

let hosts: TestHosts;
let bare: TestHost;
let store: ArtifactStore;
beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["bare"] });
  bare = hosts.host("bare");
  const work = await mkdtemp(join(hosts.dir, "work-"));
  store = createFsStore({ dir: join(work, "store") });
  for (const [version, server] of [
    ["1.0.0", SERVER],
    ["1.1.0", SERVER],
    ["2.0.0", 'die "boom at boot\\n";'],
  ] as const) {
    await publish(await makePackage(work, "web", version, { "server.pl": server }), { store });
  }
}, 300_000);
afterAll(() => hosts?.stop());

/** What the server answers on its own loopback, asked on the server (not through deploykit). */
const served = async () =>
  (
    await bare.ssh(
      `perl -MIO::Socket::INET -e '$c = IO::Socket::INET->new("127.0.0.1:${PORT}") or exit 3; print $c "GET / HTTP/1.0\\r\\n\\r\\n"; print <$c>' | tail -n 1`,
    )
  ).stdout.trim();

describe("deploy, restart and rollback with a strategy over SSH (issue 11)", () => {
  let host: HostConnection;
  beforeAll(() => {
    host = sshHost({ host: "bare", sshConfig: hosts.sshConfig });
  });
  afterAll(async () => {
    // Stop the app through the live release's real manifest, whatever happened above.
    const live = await liveRelease(ROOT, { host }).catch(() => undefined);
    if (live) await perlWeb.stop?.(strategyContext({ host, app: "web", root: ROOT, release: live.release }));
    await host?.close();
  });

  it("a context-only strategy deploys, is health-gated from the server's side, rolls back a release that dies at boot, restarts and rolls back", async () => {
    const first = await deploy({
      store,
      app: "web",
      version: "1.0.0",
      root: ROOT,
      host,
      strategy: perlWeb,
      healthcheck: URL,
    });
    expect(first).toMatchObject({ release: { version: "1.0.0" }, rolledBack: false });
    expect(await served()).toBe("v1.0.0");
    // The app runs on the server: its pid file is there and names a live perl.
    const pid = Number((await bare.ssh(`cat ${PID_FILE}`)).stdout);
    expect((await bare.ssh(`cat /proc/${pid}/cmdline | tr '\\0' ' '`)).stdout).toContain("perl server.pl");

    const second = await deploy({
      store,
      app: "web",
      version: "1.1.0",
      root: ROOT,
      host,
      strategy: perlWeb,
      healthcheck: URL,
    });
    expect(second).toMatchObject({
      release: { version: "1.1.0" },
      previous: { version: "1.0.0" },
      rolledBack: false,
    });
    expect(await served()).toBe("v1.1.0");

    const broken = await deploy({
      store,
      app: "web",
      version: "2.0.0",
      root: ROOT,
      host,
      strategy: perlWeb,
      healthcheck: URL,
    });
    expect(broken).toMatchObject({
      release: { version: "1.1.0" },
      rolledBack: true,
      cause: { code: "E_RESTART_FAILED" },
    });
    expect(broken.cause?.message).toContain("exited at boot");
    expect(await served()).toBe("v1.1.0");
    expect((await bare.ssh(`readlink ${ROOT}/current`)).stdout.trim()).toBe("releases/1.1.0");

    const again = await restartLive({ root: ROOT, host, strategy: perlWeb });
    expect(again).toMatchObject({ version: "1.1.0", strategy: "perl-web" });
    expect(again.pids?.[0]).not.toBe(second.restart?.pids?.[0]);
    expect(await served()).toBe("v1.1.0");

    const back = await rollback({ root: ROOT, host, version: "1.0.0", strategy: perlWeb, healthcheck: URL });
    expect(back).toMatchObject({ release: { version: "1.0.0" }, rolledBack: false });
    expect(await served()).toBe("v1.0.0");

    // status reads, on the server, which release the strategy's pid runs from: a switch without a
    // restart leaves the 1.0.0 processes serving while current names 1.1.0.
    const seen = await status({ root: ROOT, host, strategy: perlWeb });
    expect(seen.processes).toMatchObject({ running: true, runningFrom: ["1.0.0"] });
    expect(seen.processes?.mismatch).toBeUndefined();
    await rollback({ root: ROOT, host, version: "1.1.0" });
    const switched = await status({ root: ROOT, host, strategy: perlWeb });
    expect(switched.processes).toMatchObject({ running: true, runningFrom: ["1.0.0"] });
    expect(switched.processes?.mismatch).toContain("but current is 1.1.0");
    await rollback({ root: ROOT, host, version: "1.0.0" });
    expect(await served()).toBe("v1.0.0");
    expect(host.stats.handshakes).toBe(1);
  }, 120_000);

  it("the probe reaches URLs from the server's side and says when nothing listens there", async () => {
    const { probe } = hostPorts(host);
    // This machine has nothing on the server's port: an answer can only come from the server.
    expect((await probe.get(URL, { timeoutMs: 5_000 })).body).toMatch(/^v1\.0\.0/);
    await expect(probe.get("http://127.0.0.1:9/", { timeoutMs: 5_000 })).rejects.toThrow(
      /^connect .*127\.0\.0\.1:9 \(from bare\)$/,
    );
  }, 30_000);
});

describe("the gate tells over SSH which release holds the port (issue 17, input 2)", () => {
  const PINNED_ROOT = "/srv/pinned";
  const PINNED_PORT = 8081;
  const PINNED_URL = `http://127.0.0.1:${PINNED_PORT}/`;
  const PINNED_PID = `${PINNED_ROOT}/shared/tmp/pids/web.pid`;
  /**
   * Like a unicorn whose working_directory is pinned to its first release: once started, a
   * restart leaves that release's process serving. Its answer ("v") names no version.
   */
  const pinned: RuntimeStrategy = {
    name: "pinned",
    async restart(ctx) {
      const running = await ctx.processes.readPidFile(PINNED_PID);
      if (running !== undefined && (await ctx.processes.isAlive(running)))
        return { strategy: "pinned", pids: [running] };
      const { pid } = await ctx.runner.spawnDetached("perl", ["server.pl", String(PINNED_PORT)], {
        cwd: ctx.release.dir,
        logFile: `${ctx.root}/shared/log/web.log`,
      });
      await ctx.host.writeFile(PINNED_PID, `${pid}\n`);
      const up = await waitUntil(
        ctx.clock,
        async () => (await probeHealth(ctx.probe, PINNED_URL)).ok || undefined,
        {
          timeoutMs: 10_000,
          intervalMs: 50,
        },
      );
      if (!up) throw new Error("the server did not answer in time");
      return { strategy: "pinned", pids: [pid] };
    },
  };
  let host: HostConnection;
  beforeAll(() => {
    host = sshHost({ host: "bare", sshConfig: hosts.sshConfig });
  });
  afterAll(async () => {
    await bare.ssh(`kill $(cat ${PINNED_PID}) 2>/dev/null || true`).catch(() => undefined);
    await host?.close();
  });

  it("old code still answering from releases/1.0.0 fails the gate with what answered, and is rolled back", async () => {
    const deployPinned = (version: string) =>
      deploy({
        store,
        app: "web",
        version,
        root: PINNED_ROOT,
        host,
        strategy: pinned,
        healthcheck: PINNED_URL,
      });
    expect(await deployPinned("1.0.0")).toMatchObject({ release: { version: "1.0.0" }, rolledBack: false });
    const stuck = await deployPinned("1.1.0");
    expect(stuck).toMatchObject({
      release: { version: "1.0.0" },
      rolledBack: true,
      cause: { code: "E_HEALTHCHECK" },
    });
    expect(stuck.cause?.message).toMatch(
      new RegExp(`port ${PINNED_PORT} answers 1\\.0\\.0 from pid \\d+ in releases/1\\.0\\.0, not 1\\.1\\.0`),
    );
    expect((await bare.ssh(`readlink ${PINNED_ROOT}/current`)).stdout.trim()).toBe("releases/1.0.0");
  }, 120_000);
});
