import { mkdir, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createFsStore, publish } from "@deploykit/core";
import { createSimulatedHost, type SimulatedHost } from "@deploykit/core/testing";
import { deployFleet, type FleetHost, fleetStatus } from "@deploykit/fleet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packRelease } from "../../../test-support/release";
import { tempDir } from "../../../test-support/temp-dir";

// The real per-host step (core's remote install: catalogue scripts, upload, remote lock) over
// core/testing's simulated hosts: latencies, a host that cannot be reached, one that goes down
// mid-install. No containers: a team's own fleet tests can run like this in a second.
let work: { dir: string; cleanup: () => Promise<void> };
let store: ReturnType<typeof createFsStore>;
beforeAll(async () => {
  work = await tempDir("fleet-sim-");
  store = createFsStore({ dir: join(work.dir, "store") });
  for (const version of ["1.0.0", "2.0.0"]) {
    const tree = join(work.dir, `tree-${version}`);
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, "VERSION"), version);
    await publish(await packRelease({ tree, dir: work.dir, app: "web", version }), { store });
  }
});
afterAll(() => work?.cleanup());

describe("deployFleet over simulated SSH hosts (core/testing's createSimulatedHost)", () => {
  it("deploys through core's remote path; an unreachable host and one lost mid-install fail E_HOST_UNREACHABLE, the rest finish", async () => {
    const names = ["s1", "s2", "s3", "s4", "s5", "s6"];
    const hosts: FleetHost[] = names.map((name) => ({
      name,
      roles: ["web"],
      root: join(work.dir, name),
      connection: {},
    }));
    const simulated = new Map<string, SimulatedHost>(
      names.map((name) => [
        name,
        createSimulatedHost({
          name: `deploy@${name}`,
          latencyMs: 2,
          handshakeMs: 10,
          connectTimeoutMs: 200,
          ...(name === "s3" ? { unreachable: true } : {}),
          ...(name === "s5" ? { downAfter: 3 } : {}),
        }),
      ]),
    );
    const connect = (host: FleetHost) => simulated.get(host.name) as SimulatedHost;
    const first = await deployFleet({
      hosts,
      app: "web",
      store,
      version: "1.0.0",
      batchSize: 3,
      maxFailures: 2,
      connect,
    });
    expect(first.hosts.map((h) => [h.host, h.outcome, h.errorCode])).toEqual([
      ["s1", "deployed", undefined],
      ["s2", "deployed", undefined],
      ["s3", "failed", "E_HOST_UNREACHABLE"],
      ["s4", "deployed", undefined],
      ["s5", "failed", "E_HOST_UNREACHABLE"],
      ["s6", "deployed", undefined],
    ]);
    expect(first.summary).toMatchObject({ planned: 6, done: 4, failed: 2, halted: false });
    expect(await readlink(join(work.dir, "s6", "current"))).toBe("releases/1.0.0");
    expect(simulated.get("s1")?.stats.handshakes).toBe(1);

    simulated.get("s3")?.setReachable(true);
    const again = await deployFleet({
      hosts: hosts.slice(0, 4),
      app: "web",
      store,
      version: "1.0.0",
      batchSize: 4,
      connect,
    });
    expect(again.hosts.map((h) => h.outcome)).toEqual(["unchanged", "unchanged", "deployed", "unchanged"]);
    const status = await fleetStatus({ hosts: hosts.slice(0, 4), connect });
    expect(status.map((s) => [s.host, s.live, s.lock?.held])).toEqual([
      ["s1", "1.0.0", false],
      ["s2", "1.0.0", false],
      ["s3", "1.0.0", false],
      ["s4", "1.0.0", false],
    ]);
  });
});
