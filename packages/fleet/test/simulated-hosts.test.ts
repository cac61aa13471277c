import { mkdir, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ArtifactStore, createFsStore, publish, readManifest } from "@deploykit/core";
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
          // an install is 3 round trips: s5 goes down before the last (unpack, switch, unlock)
          ...(name === "s5" ? { downAfter: 2 } : {}),
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

  // Each host used to read the artifact from the store and hash and scan it again on this
  // machine: 5x the work for 5 hosts. Now a rollout reads and checks it once, then sends that.
  it("reads and checks the artifact once per rollout, not once per host", async () => {
    const names = ["r1", "r2", "r3", "r4", "r5"];
    const hosts: FleetHost[] = names.map((name) => ({
      name,
      roles: ["web"],
      root: join(work.dir, name),
      connection: {},
    }));
    const artifactReads: string[] = [];
    const counting: ArtifactStore = new Proxy(store, {
      get(target, key) {
        if (key === "get")
          return (k: string, o?: Parameters<ArtifactStore["get"]>[1]) => {
            if (k.endsWith(".tgz")) artifactReads.push(k);
            return target.get(k, o);
          };
        return Reflect.get(target, key, target);
      },
    });
    const simulated = new Map(names.map((name) => [name, createSimulatedHost({ name: `deploy@${name}` })]));
    const sent = new Map<string, number>();
    const result = await deployFleet({
      hosts,
      app: "web",
      store: counting,
      version: "2.0.0",
      batchSize: 5,
      connect: (host) => simulated.get(host.name) as SimulatedHost,
      onEvent: (e) => {
        if (e.type === "progress" && e.step === "upload" && e.host) sent.set(e.host, e.bytes);
      },
    });
    expect(result.summary).toMatchObject({ planned: 5, done: 5, failed: 0 });
    expect(artifactReads).toHaveLength(1);
    const size = (await readManifest(store, "web", "2.0.0")).artifact.size;
    expect([...sent.values()]).toEqual(names.map(() => size));
    for (const name of names) expect(await readlink(join(work.dir, name, "current"))).toBe("releases/2.0.0");
  });

  it("a stored artifact that does not match its manifest fails the rollout before any host is touched", async () => {
    const bad = createFsStore({ dir: join(work.dir, "bad-store") });
    const tree = join(work.dir, "tree-bad");
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, "VERSION"), "3.0.0");
    const published = await publish(
      await packRelease({ tree, dir: work.dir, app: "web", version: "3.0.0" }),
      {
        store: bad,
      },
    );
    const key = `apps/web/releases/3.0.0/${published.manifest.artifact.file}`;
    await writeFile(join(work.dir, "bad-store", key), "not the published bytes");
    const names = ["x1", "x2"];
    const hosts: FleetHost[] = names.map((name) => ({
      name,
      roles: ["web"],
      root: join(work.dir, name),
      connection: {},
    }));
    const simulated = new Map(names.map((name) => [name, createSimulatedHost({ name: `deploy@${name}` })]));
    const failure = await deployFleet({
      hosts,
      app: "web",
      store: bad,
      version: "3.0.0",
      batchSize: 2,
      connect: (host) => simulated.get(host.name) as SimulatedHost,
    }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "E_CHECKSUM_MISMATCH" });
    for (const name of names) expect(simulated.get(name)?.stats.roundTrips).toBe(0);
  });
});
