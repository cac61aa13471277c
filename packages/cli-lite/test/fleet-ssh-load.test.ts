import { mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createFsStore, type HostConnection, liveRelease, sshHost, strategyContext } from "@deploykit/core";
import { node } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHosts, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { fetchText } from "../../runtimes/test/support/host";
import { startLoad } from "../../runtimes/test/support/load";
import { publishFixture } from "../../runtimes/test/support/releases";
import { fleetDeploy } from "./support/cli";

// Issue 13's acceptance through the CLI: `deploykit deploy --inventory` rolls a node app out to
// three real SSH hosts (test hosts with nodejs) in batches under load on every host: zero socket
// errors, zero non-2xx, every host on the new release; then a release that crashes at boot, with a
// canary and --max-failures 0, halts after the canary, which restores its release; the other
// hosts are never touched and keep serving.
const NAMES = ["n1", "n2", "n3"];
const PORT = 3000;
const ROOT = "/srv/web";
let hosts: TestHosts;
let work: string;
const urls = () => NAMES.map((n) => `http://${hosts.host(n).address}:${PORT}/`);

beforeAll(async () => {
  hosts = await startTestHosts({ hosts: NAMES, template: "apps" });
  work = await mkdtemp(join(hosts.dir, "fleet-cli-"));
  const store = createFsStore({ dir: join(work, "store") });
  for (const [version, crash] of [
    ["1.0.0", false],
    ["2.0.0", false],
    ["3.0.0", true],
  ] as const)
    await publishFixture(store, "web", "node-app", version, { crash });
  await writeFile(
    join(work, "hosts.yml"),
    [
      "app: web",
      `root: ${ROOT}`,
      `ssh: { sshConfig: ${hosts.sshConfig}, connectTimeoutS: 5 }`,
      "roles:",
      "  web:",
      `    strategy: { name: node, port: ${PORT}, workers: 2, timeout: 20, healthcheck: "http://127.0.0.1:${PORT}/health" }`,
      '    env: { DK_LISTEN: "0.0.0.0" }',
      "hosts:",
      ...NAMES.map((n) => `  ${n}: { roles: [web] }`),
      "",
    ].join("\n"),
  );
}, 300_000);

afterAll(async () => {
  for (const name of NAMES) {
    const host: HostConnection = sshHost({ host: name, sshConfig: hosts.sshConfig });
    try {
      const live = await liveRelease(ROOT, { host }).catch(() => undefined);
      if (live) {
        const ctx = strategyContext({ host, app: "web", root: ROOT, release: live.release });
        await node({ port: PORT })
          .stop?.(ctx)
          .catch((e: unknown) => console.error(`stopping ${name}:`, e));
      }
    } finally {
      await host.close();
    }
  }
  await hosts?.stop();
}, 120_000);

const rollout = (version: string, ...flags: string[]) => fleetDeploy(work, "hosts.yml", version, flags);

describe("deploykit deploy --inventory: a node app on three SSH hosts under load", () => {
  it("rolls v2 out in batches of 2 with zero errors, then halts a crashing release after its canary", async () => {
    const first = await rollout("1.0.0", "--batch", "3");
    expect(first.summary, first.stderr).toMatchObject({ planned: 3, done: 3 });
    expect(await Promise.all(urls().map(fetchText))).toEqual(Array(3).fill("1.0.0"));

    const loads = await Promise.all(urls().map((url) => startLoad(url, 20)));
    let figures: { requests: number; errors: number; non2xx: number }[] = [];
    try {
      const second = await rollout("2.0.0", "--batch", "2", "--max-failures", "0");
      expect(second.exitCode, second.stderr).toBe(0);
      expect(second.hosts.map((h) => [h.host, h.outcome, h.versionAfter])).toEqual(
        NAMES.map((n) => [n, "deployed", "2.0.0"]),
      );
      const third = await rollout("3.0.0", "--canary", "1", "--batch", "2", "--max-failures", "0");
      expect(third.exitCode).toBe(1);
      expect(third.hosts.map((h) => [h.host, h.outcome, h.versionAfter])).toEqual([
        ["n1", "failed", "2.0.0"],
        ["n2", "skipped", undefined],
        ["n3", "skipped", undefined],
      ]);
      expect(third.summary).toMatchObject({
        failed: 1,
        skipped: 2,
        halted: true,
        haltReason: "max-failures",
      });
    } finally {
      figures = await Promise.all(loads.map((l) => l.stop()));
    }
    // Printed when DK_TEST_TRACE is set (asserted either way), as runtimes' ssh-load test does.
    if (process.env.DK_TEST_TRACE)
      console.log(`fleet rollout under load, per host: ${JSON.stringify(figures)}`);
    for (const f of figures) {
      expect(f.requests).toBeGreaterThan(200);
      expect(f).toMatchObject({ errors: 0, non2xx: 0 });
    }
    expect(await Promise.all(urls().map(fetchText))).toEqual(Array(3).fill("2.0.0"));
  }, 600_000);
});
