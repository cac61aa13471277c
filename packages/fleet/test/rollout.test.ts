import { DeployKitError } from "@deploykit/core";
import { deployFleet, type FleetEvent, type FleetHost, planRollout } from "@deploykit/fleet";
import { createFleetDouble, createSimulatedClock } from "@deploykit/fleet/testing";
import { describe, expect, it } from "vitest";

const host = (name: string, roles = ["web"]): FleetHost => ({
  name,
  roles,
  root: "/srv/web",
  connection: {},
});
const fleetOf = (n: number, roles = ["web"]) => Array.from({ length: n }, (_, i) => host(`h${i + 1}`, roles));

/** A rollout over the in-memory fleet, on simulated time. */
async function rollout(
  hosts: FleetHost[],
  options: Omit<Parameters<typeof deployFleet>[0], "step" | "clock" | "hosts"> = {},
  double: Partial<Parameters<typeof createFleetDouble>[0]> = {},
) {
  const clock = createSimulatedClock();
  const fleet = createFleetDouble({ clock, deployMs: 1000, ...double });
  const events: FleetEvent[] = [];
  const result = await deployFleet({
    hosts,
    app: "web",
    version: "2.0.0",
    ...options,
    step: fleet.step,
    clock,
    onEvent: (e) => events.push(e),
  });
  return { result, fleet, events, clock };
}

const started = (fleet: ReturnType<typeof createFleetDouble>) =>
  Object.fromEntries(fleet.calls.filter((c) => c.action === "deploy").map((c) => [c.host, c.startedAt]));

describe("deployFleet: batches", () => {
  it("deploys 5 hosts in batches of 2: each batch starts when the last has finished", async () => {
    const { result, fleet, events } = await rollout(fleetOf(5), { batchSize: 2 });
    expect(started(fleet)).toEqual({ h1: 0, h2: 0, h3: 1000, h4: 1000, h5: 2000 });
    expect(result.summary).toMatchObject({
      planned: 5,
      done: 5,
      failed: 0,
      rolledBack: 0,
      skipped: 0,
      halted: false,
      durationMs: 3000,
    });
    expect(result.ok).toBe(true);
    expect(result.hosts.map((h) => [h.host, h.batch, h.outcome, h.versionBefore, h.versionAfter])).toEqual([
      ["h1", 1, "deployed", "1.0.0", "2.0.0"],
      ["h2", 1, "deployed", "1.0.0", "2.0.0"],
      ["h3", 2, "deployed", "1.0.0", "2.0.0"],
      ["h4", 2, "deployed", "1.0.0", "2.0.0"],
      ["h5", 3, "deployed", "1.0.0", "2.0.0"],
    ]);
    const hostEvents = events.filter((e) => "host" in e);
    expect(hostEvents.length).toBeGreaterThan(10);
    expect(events.find((e) => e.type === "step:start")).toMatchObject({ host: "h1", step: "upload" });
    expect(events[0]).toMatchObject({
      type: "fleet:plan",
      planned: 5,
      batches: [{ hosts: ["h1", "h2"] }, {}, {}],
    });
  });

  it("reads batchSize and maxFailures as percentages of the hosts", () => {
    const plan = planRollout({ hosts: fleetOf(10), batchSize: "25%" });
    expect(plan.map((b) => b.hosts.length)).toEqual([3, 3, 3, 1]);
  });

  it("puts canaries first, alone, and a role's hosts after the roles before it in order", () => {
    const hosts = [
      host("job1", ["worker"]),
      host("web1"),
      host("web2"),
      host("web3"),
      host("both", ["worker", "web"]),
    ];
    const plan = planRollout({ hosts, batchSize: 2, canary: 1, order: ["web", "worker"] });
    expect(plan.map((b) => [b.role, b.canary, b.hosts.map((h) => h.name)])).toEqual([
      ["web", true, ["web1"]],
      ["web", false, ["web2", "web3"]],
      ["web", false, ["both"]],
      ["worker", false, ["job1"]],
    ]);
  });

  it("keeps at most maxUnavailable hosts in flight, and at most uploadConcurrency uploads", async () => {
    const { fleet, result } = await rollout(
      fleetOf(8),
      { batchSize: 8, maxUnavailable: 3, uploadConcurrency: 2 },
      { uploadMs: 400 },
    );
    expect(result.summary.done).toBe(8);
    expect(fleet.peak).toEqual({ hosts: 3, uploads: 2 });
  });

  it("halts after the canary when confirm says no, rolls the canary back, touching nothing else", async () => {
    const { fleet, result } = await rollout(fleetOf(4), {
      canary: 1,
      batchSize: 3,
      confirm: async () => false,
    });
    expect(fleet.calls.map((c) => [c.host, c.action])).toEqual([
      ["h1", "deploy"],
      ["h1", "rollback"],
    ]);
    expect(result.summary).toMatchObject({
      done: 0,
      rolledBack: 1,
      skipped: 3,
      halted: true,
      haltReason: "not-confirmed",
    });
  });

  it('leaves the unconfirmed canary on the new release with onFailure: "halt"', async () => {
    const { fleet, result } = await rollout(fleetOf(4), {
      canary: 1,
      batchSize: 3,
      onFailure: "halt",
      confirm: async () => false,
    });
    expect(fleet.calls.map((c) => c.host)).toEqual(["h1"]);
    expect(result.summary).toMatchObject({ done: 1, skipped: 3, halted: true, haltReason: "not-confirmed" });
  });
});

describe("deployFleet: failure policy", () => {
  it("halts after the batch whose host fails its health gate, rolls back its switched host, never touches the rest", async () => {
    const { fleet, result, events } = await rollout(
      fleetOf(5),
      { batchSize: 2, maxFailures: 0 },
      { unhealthy: ["h1"] },
    );
    expect(result.hosts.map((h) => [h.host, h.outcome, h.versionAfter, h.errorCode])).toEqual([
      ["h1", "failed", "1.0.0", "E_HEALTHCHECK"],
      ["h2", "rolled-back", "1.0.0", undefined],
      ["h3", "skipped", undefined, undefined],
      ["h4", "skipped", undefined, undefined],
      ["h5", "skipped", undefined, undefined],
    ]);
    expect(result.hosts[0]?.restored).toBe(true);
    expect(result.summary).toMatchObject({
      planned: 5,
      done: 0,
      failed: 1,
      rolledBack: 1,
      skipped: 3,
      halted: true,
      haltReason: "max-failures",
    });
    expect(fleet.calls.map((c) => [c.host, c.action, c.version])).toEqual([
      ["h1", "deploy", "2.0.0"],
      ["h2", "deploy", "2.0.0"],
      ["h2", "rollback", "1.0.0"],
    ]);
    expect(["h1", "h2", "h3", "h4", "h5"].map(fleet.live)).toEqual(Array(5).fill("1.0.0"));
    expect(events.find((e) => e.type === "fleet:halt")).toMatchObject({
      reason: "max-failures",
      failures: 1,
    });
  });

  it('leaves switched hosts on the new release with onFailure: "halt"', async () => {
    const { fleet, result } = await rollout(
      fleetOf(4),
      { batchSize: 2, onFailure: "halt" },
      { failing: { h2: "E_LOCKED" } },
    );
    expect(result.hosts.map((h) => h.outcome)).toEqual(["deployed", "failed", "skipped", "skipped"]);
    expect(result.hosts[1]?.errorCode).toBe("E_LOCKED");
    expect(fleet.live("h1")).toBe("2.0.0");
  });

  it("reports an unreachable host within the connect timeout without stalling its batch; a re-run completes it", async () => {
    const hosts = fleetOf(6);
    const clock = createSimulatedClock();
    const fleet = createFleetDouble({ clock, deployMs: 1000, connectTimeoutMs: 3000, unreachable: ["h2"] });
    const run = () =>
      deployFleet({
        hosts,
        app: "web",
        version: "2.0.0",
        batchSize: 3,
        maxFailures: 1,
        step: fleet.step,
        clock,
      });
    const first = await run();
    const h2 = first.hosts[1];
    expect(h2).toMatchObject({ outcome: "failed", errorCode: "E_HOST_UNREACHABLE", durationMs: 3000 });
    expect(first.hosts.filter((h) => h.outcome === "deployed").map((h) => h.durationMs)).toEqual(
      Array(5).fill(1000),
    );
    expect(first.summary).toMatchObject({ done: 5, failed: 1, halted: false });
    fleet.setReachable("h2", true);
    const again = await run();
    expect(again.hosts.map((h) => h.outcome)).toEqual([
      "unchanged",
      "deployed",
      "unchanged",
      "unchanged",
      "unchanged",
      "unchanged",
    ]);
    expect(again.ok).toBe(true);
  });

  it("counts maxFailures as a share of the planned hosts, rounded down", async () => {
    const { result } = await rollout(
      fleetOf(10),
      { batchSize: 1, maxFailures: "20%" },
      { failing: { h1: "E_LOCKED", h2: "E_LOCKED", h3: "E_LOCKED" } },
    );
    expect(result.summary).toMatchObject({ failed: 3, halted: true, done: 0, skipped: 7 });
  });
});

describe("deployFleet: abort and bad input", () => {
  it("on abort starts no new host, lets the running ones finish, and says so", async () => {
    const controller = new AbortController();
    const clock = createSimulatedClock();
    const fleet = createFleetDouble({ clock, deployMs: 1000 });
    const result = await deployFleet({
      hosts: fleetOf(6),
      app: "web",
      version: "2.0.0",
      batchSize: 2,
      step: fleet.step,
      clock,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "fleet:host:start" && e.host === "h3") controller.abort();
      },
    });
    expect(result.hosts.map((h) => h.outcome)).toEqual([
      "deployed",
      "deployed",
      "deployed",
      "skipped",
      "skipped",
      "skipped",
    ]);
    expect(result.summary).toMatchObject({ halted: true, haltReason: "aborted", done: 3, skipped: 3 });
  });

  it.each([
    [{ role: "db" }, /No host has role db/],
    [{ batchSize: 0 }, /batchSize must be/],
    [{ batchSize: "120%" }, /batchSize must be/],
    [{ maxFailures: -1 }, /maxFailures must be/],
    [{ onFailure: "stop" }, /onFailure must be/],
    [{ uploadConcurrency: 0 }, /uploadConcurrency/],
    [{ canary: 1.5 }, /canary must be/],
    [{ version: undefined }, /exactly one of version or channel/],
  ])("refuses %j before any host is touched", async (bad, message) => {
    const clock = createSimulatedClock();
    const fleet = createFleetDouble({ clock });
    await expect(
      deployFleet({
        hosts: fleetOf(3),
        app: "web",
        version: "2.0.0",
        step: fleet.step,
        clock,
        ...(bad as object),
      }),
    ).rejects.toMatchObject({ code: "E_INVALID_INPUT", message: expect.stringMatching(message) });
    expect(fleet.calls).toEqual([]);
  });

  it("refuses a host without an absolute root before touching any", async () => {
    const clock = createSimulatedClock();
    const fleet = createFleetDouble({ clock });
    const hosts = [host("a"), { ...host("b"), root: "srv/web" }];
    await expect(
      deployFleet({ hosts, app: "web", version: "2.0.0", step: fleet.step, clock }),
    ).rejects.toThrow(/b: root must be an absolute path/);
    expect(fleet.calls).toEqual([]);
  });
});

describe("deployFleet: an abort that stops a running host", () => {
  it("does not count the host's E_ABORTED as a failure nor roll back the hosts already deployed", async () => {
    const controller = new AbortController();
    const clock = createSimulatedClock();
    const fleet = createFleetDouble({ clock, deployMs: 1000, failing: { h2: "E_ABORTED" } });
    const result = await deployFleet({
      hosts: fleetOf(3),
      app: "web",
      version: "2.0.0",
      step: async (ctx) => {
        if (ctx.host.name === "h2") controller.abort();
        return fleet.step(ctx);
      },
      clock,
      signal: controller.signal,
    });
    expect(result.hosts.map((h) => h.outcome)).toEqual(["deployed", "failed", "skipped"]);
    expect(result.summary).toMatchObject({ haltReason: "aborted", rolledBack: 0 });
    expect(fleet.live("h1")).toBe("2.0.0");
  });

  // core's deploy() settles an abort that comes during the restart or health gate (gate.ts
  // settleAbort): it keeps the new release when it serves, else switches back; either way it
  // throws E_ABORTED whose details name the live release.
  it.each([
    [
      "a host whose new release served and was kept is deployed (versions before and after)",
      { live: "2.0.0", previous: "1.0.0", serving: true },
      { outcome: "deployed", versionBefore: "1.0.0", versionAfter: "2.0.0" },
      { done: 2, failed: 0 },
    ],
    [
      "a host that switched back is failed, restored, on its old version",
      { live: "1.0.0", abandoned: "2.0.0", serving: true },
      {
        outcome: "failed",
        versionBefore: "1.0.0",
        versionAfter: "1.0.0",
        restored: true,
        errorCode: "E_ABORTED",
      },
      { done: 1, failed: 1 },
    ],
  ])("%s", async (_name, details, h2, counts) => {
    const controller = new AbortController();
    const clock = createSimulatedClock();
    const fleet = createFleetDouble({ clock, deployMs: 1000 });
    const result = await deployFleet({
      hosts: fleetOf(3),
      app: "web",
      version: "2.0.0",
      step: async (ctx) => {
        if (ctx.host.name !== "h2") return fleet.step(ctx);
        controller.abort();
        throw new DeployKitError("E_ABORTED", "The 2.0.0 deploy was aborted", { details });
      },
      clock,
      signal: controller.signal,
    });
    expect(result.hosts[1]).toMatchObject(h2);
    expect(result.summary).toMatchObject({ haltReason: "aborted", skipped: 1, ...counts });
  });
});
