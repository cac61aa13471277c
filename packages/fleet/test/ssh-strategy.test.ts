import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type ArtifactStore,
  createFsStore,
  liveRelease,
  publish,
  type RuntimeStrategy,
  sshHost,
  strategyContext,
  waitUntil,
} from "@deploykit/core";
import { deployFleet, fleetStatus, type Inventory, parseInventory } from "@deploykit/fleet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packRelease } from "../../../test-support/release";
import { startTestHosts, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { startLoad } from "../../runtimes/test/support/load";

// A rollout WITH a restart strategy over three real SSH hosts (core's deploy() over the host
// connection): each host restarts its app and passes the health gate from the server's side; a
// release that dies at boot, deployed with a canary and maxFailures 0, fails the canary's gate,
// the canary restores its release, the rollout halts, and the other hosts keep serving under
// load with zero errors. The app is a perl HTTP server (perl-base is on every bare host).
const NAMES = ["g1", "g2", "g3"];
const PORT = 8080;
const ROOT = "/srv/app";
const PID_FILE = `${ROOT}/shared/tmp/pids/app.pid`;
// One process per connection with keep-alive (as a real server), so the load generator never
// races a server-side close; a stopped server's connections finish in their own processes.
const APP = `use IO::Socket::INET;
die "release $ENV{VERSION} dies at boot\\n" if -e "CRASH";
$SIG{CHLD} = "IGNORE";
my $s = IO::Socket::INET->new(LocalAddr => "0.0.0.0", LocalPort => ${PORT}, Listen => 128, ReuseAddr => 1) or die "listen: $!";
my $b = "$ENV{VERSION}\\n";
while (1) {
  my $c = $s->accept or next;
  if (fork) { close $c; next }
  close $s;
  while (1) {
    my $seen = 0;
    while (my $l = <$c>) { $seen = 1; last if $l =~ /^\\r?\\n$/ }
    last unless $seen;
    print $c "HTTP/1.1 200 OK\\r\\nContent-Length: " . length($b) . "\\r\\n\\r\\n$b";
  }
  exit 0;
}
`;

/** Starts the release's server detached, after stopping the old one (not zero-downtime: load goes to untouched hosts). */
const perlApp: RuntimeStrategy = {
  name: "perl-app",
  async restart(ctx) {
    await this.stop?.(ctx);
    const { pid } = await ctx.runner.spawnDetached("perl", ["app.pl"], {
      cwd: ctx.release.dir,
      logFile: `${ctx.root}/shared/log/app.log`,
      env: { VERSION: ctx.release.version },
    });
    await ctx.host.writeFile(PID_FILE, `${pid}\n`);
    return { strategy: "perl-app", pids: [pid] };
  },
  async status(ctx) {
    const pid = await ctx.processes.readPidFile(PID_FILE);
    return pid !== undefined && (await ctx.processes.isAlive(pid))
      ? { running: true, pids: [pid] }
      : { running: false };
  },
  async stop(ctx) {
    const pid = await ctx.processes.readPidFile(PID_FILE);
    if (pid === undefined || !(await ctx.processes.kill(pid, "SIGTERM"))) return;
    await waitUntil(ctx.clock, async () => !(await ctx.processes.isAlive(pid)), { timeoutMs: 5_000 });
  },
};

let hosts: TestHosts;
let store: ArtifactStore;
let inventory: Inventory;
beforeAll(async () => {
  hosts = await startTestHosts({ hosts: NAMES });
  const work = await mkdtemp(join(hosts.dir, "fleet-strategy-"));
  store = createFsStore({ dir: join(work, "store") });
  for (const version of ["1.0.0", "2.0.0", "3.0.0"]) {
    const tree = join(work, `tree-${version}`);
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, "app.pl"), APP);
    if (version === "3.0.0") await writeFile(join(tree, "CRASH"), "1\n");
    await publish(await packRelease({ tree, dir: work, app: "app", version }), { store });
  }
  inventory = parseInventory(`
app: app
root: ${ROOT}
ssh: { sshConfig: ${hosts.sshConfig}, connectTimeoutS: 5 }
healthcheck: { url: "http://127.0.0.1:${PORT}/", timeoutMs: 10000 }
hosts: [${NAMES.join(", ")}]
`);
}, 300_000);

afterAll(async () => {
  for (const name of NAMES) {
    const host = sshHost({ host: name, sshConfig: hosts.sshConfig });
    const live = await liveRelease(ROOT, { host }).catch(() => undefined);
    if (live) await perlApp.stop?.(strategyContext({ host, app: "app", root: ROOT, release: live.release }));
    await host.close();
  }
  await hosts?.stop();
}, 120_000);

const served = (name: string) =>
  fetch(`http://${hosts.host(name).address}:${PORT}/`).then(
    (r) => r.text(),
    () => "down",
  );

describe("a rollout with a restart strategy over three real SSH hosts", () => {
  it("restarts and health-gates each host; a release that dies at boot halts at its canary, which restores its release, while the others serve under load with zero errors", async () => {
    const first = await deployFleet({ inventory, store, version: "1.0.0", strategy: perlApp, batchSize: 3 });
    expect(first.summary, JSON.stringify(first.hosts)).toMatchObject({ planned: 3, done: 3 });
    const second = await deployFleet({ inventory, store, version: "2.0.0", strategy: perlApp, batchSize: 2 });
    expect(second.hosts.map((h) => [h.host, h.outcome, h.versionBefore, h.versionAfter])).toEqual(
      NAMES.map((n) => [n, "deployed", "1.0.0", "2.0.0"]),
    );
    expect(await Promise.all(NAMES.map(served))).toEqual(Array(3).fill("2.0.0\n"));

    const loads = await Promise.all(
      ["g2", "g3"].map((n) => startLoad(`http://${hosts.host(n).address}:${PORT}/`, 4)),
    );
    let figures: { requests: number; errors: number; non2xx: number }[] = [];
    let third: Awaited<ReturnType<typeof deployFleet>>;
    try {
      third = await deployFleet({
        inventory,
        store,
        version: "3.0.0",
        strategy: perlApp,
        canary: 1,
        batchSize: 2,
        maxFailures: 0,
      });
    } finally {
      figures = await Promise.all(loads.map((l) => l.stop()));
    }
    expect(third.hosts.map((h) => [h.host, h.outcome, h.versionAfter])).toEqual([
      ["g1", "failed", "2.0.0"],
      ["g2", "skipped", undefined],
      ["g3", "skipped", undefined],
    ]);
    expect(third.hosts[0]).toMatchObject({ restored: true });
    expect(third.summary).toMatchObject({ failed: 1, skipped: 2, halted: true, haltReason: "max-failures" });
    for (const f of figures) {
      expect(f.requests).toBeGreaterThan(50);
      expect(f).toMatchObject({ errors: 0, non2xx: 0 });
    }
    expect(await Promise.all(NAMES.map(served))).toEqual(Array(3).fill("2.0.0\n"));
    const status = await fleetStatus({ inventory, strategy: perlApp });
    expect(status.map((s) => [s.host, s.live, s.lock?.held, s.processes?.running])).toEqual(
      NAMES.map((n) => [n, "2.0.0", false, true]),
    );
  }, 300_000);
});
