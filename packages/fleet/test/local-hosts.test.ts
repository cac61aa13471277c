import { existsSync } from "node:fs";
import { mkdir, readlink, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createFsStore, publish } from "@deploykit/core";
import {
  deployFleet,
  type FleetHost,
  fleetReleases,
  fleetStatus,
  parseInventory,
  rollbackFleet,
} from "@deploykit/fleet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packRelease } from "../../../test-support/release";
import { tempDir } from "../../../test-support/temp-dir";

// The real per-host step (core's install() and rollback()) on hosts that are directories of this
// machine: the fleet layer over real host roots, real tar, real state files and locks.
let work: { dir: string; cleanup: () => Promise<void> };
let store: ReturnType<typeof createFsStore>;
beforeAll(async () => {
  work = await tempDir("fleet-local-");
  store = createFsStore({ dir: join(work.dir, "store") });
  for (const version of ["1.0.0", "2.0.0"]) {
    const tree = join(work.dir, `tree-${version}`);
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, "VERSION"), version);
    await publish(await packRelease({ tree, dir: work.dir, app: "web", version }), { store });
  }
});
afterAll(() => work?.cleanup());

const inventory = (name: string, hosts: string[]) =>
  parseInventory(
    `app: web\nssh: { local: true }\nhosts:\n${hosts
      .map(
        (h, i) => `  ${h}: { root: ${join(work.dir, name, h)}, roles: [${i === 0 ? "canary, web" : "web"}] }`,
      )
      .join("\n")}\n`,
  );
const live = async (inv: { hosts: FleetHost[] }, name: string) =>
  readlink(join(inv.hosts.find((h) => h.name === name)?.root as string, "current"));

describe("a fleet of host roots on this machine, with core's real install and rollback", () => {
  it("installs, lists, reports and rolls back across the inventory", async () => {
    const inv = inventory("ok", ["a", "b", "c"]);
    const first = await deployFleet({ inventory: inv, store, version: "1.0.0", batchSize: 2 });
    expect(first.summary).toMatchObject({ planned: 3, done: 3, failed: 0 });
    const second = await deployFleet({ inventory: inv, store, version: "2.0.0", batchSize: "50%" });
    expect(second.hosts.map((h) => [h.host, h.outcome, h.versionBefore, h.versionAfter])).toEqual([
      ["a", "deployed", "1.0.0", "2.0.0"],
      ["b", "deployed", "1.0.0", "2.0.0"],
      ["c", "deployed", "1.0.0", "2.0.0"],
    ]);
    expect(await live(inv, "c")).toBe("releases/2.0.0");

    const releases = await fleetReleases({ inventory: inv });
    expect(releases.map((r) => [r.host, r.releases?.current, r.releases?.releases.length])).toEqual([
      ["a", "2.0.0", 2],
      ["b", "2.0.0", 2],
      ["c", "2.0.0", 2],
    ]);
    const status = await fleetStatus({ inventory: inv, role: "canary" });
    expect(status).toEqual([
      { host: "a", roles: ["canary", "web"], live: "2.0.0", previous: "1.0.0", lock: { held: false } },
    ]);

    const back = await rollbackFleet({ inventory: inv, batchSize: 3 });
    expect(back.hosts.map((h) => [h.outcome, h.versionAfter])).toEqual(
      Array(3).fill(["rolled-back", "1.0.0"]),
    );
    expect(back.ok).toBe(true);
    expect(await live(inv, "a")).toBe("releases/1.0.0");
  });

  it("halts when a host refuses, rolls back the host it switched, never touches the next", async () => {
    const inv = inventory("halt", ["a", "b", "c"]);
    await deployFleet({ inventory: inv, store, version: "1.0.0", batchSize: 3 });
    // b's current is a real directory (left by an older deploy tool): core refuses with E_HOST_STATE.
    const bRoot = inv.hosts[1]?.root as string;
    await rm(join(bRoot, "current"));
    await mkdir(join(bRoot, "current"));
    const result = await deployFleet({
      inventory: inv,
      store,
      version: "2.0.0",
      batchSize: 1,
      maxFailures: 0,
    });
    expect(result.hosts.map((h) => [h.host, h.outcome, h.errorCode, h.versionAfter])).toEqual([
      ["a", "rolled-back", undefined, "1.0.0"],
      ["b", "failed", "E_HOST_STATE", undefined],
      ["c", "skipped", undefined, undefined],
    ]);
    expect(result.summary).toMatchObject({ done: 0, failed: 1, rolledBack: 1, skipped: 1, halted: true });
    expect(await live(inv, "a")).toBe("releases/1.0.0");
    expect(await live(inv, "c")).toBe("releases/1.0.0");
    expect(existsSync(join(inv.hosts[2]?.root as string, "releases", "2.0.0"))).toBe(false);
  });

  it("refuses a version the store does not have before touching any host", async () => {
    const inv = inventory("missing", ["a"]);
    await expect(deployFleet({ inventory: inv, store, version: "9.9.9" })).rejects.toMatchObject({
      code: "E_NOT_FOUND",
    });
    expect(existsSync(inv.hosts[0]?.root as string)).toBe(false);
  });
});
