// bench/fleet, simulated part: a rollout plan of 1,000 hosts over @deploykit/fleet/testing's
// in-memory fleet on a discrete-event clock. Realistic per-host latencies: a deploy of 20 s
// (upload 4 s of it, at most 50 uploads at once) +-5 % per host, 3 hosts unreachable (ssh's
// ConnectTimeout, 10 s). Targets: under 10 s of CPU; simulated time within 10 % of
// batches x per-host time. Exports the figures for run.mjs.
import { deployFleet } from "@deploykit/fleet";
import { createFleetDouble, createSimulatedClock } from "@deploykit/fleet/testing";

const HOSTS = 1000;
const PER_HOST_MS = 20_000;
const BATCH = "5%";

/** A deterministic +-5 % jitter per host (a small LCG, so every run plans the same fleet). */
function jitter(n) {
  let seed = 12345;
  return Array.from({ length: n }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return 1 + ((seed / 2 ** 31) * 2 - 1) * 0.05;
  });
}

export async function simulatedRollout() {
  const hosts = Array.from({ length: HOSTS }, (_, i) => ({
    name: `web${String(i + 1).padStart(4, "0")}`,
    roles: [i < 800 ? "web" : "worker"],
    root: "/srv/app",
    connection: {},
  }));
  const factor = jitter(HOSTS);
  const times = new Map(hosts.map((h, i) => [h.name, Math.round(PER_HOST_MS * factor[i])]));
  const unreachable = ["web0007", "web0420", "web0999"];
  const clock = createSimulatedClock();
  const fleet = createFleetDouble({
    clock,
    deployMs: (name) => times.get(name),
    uploadMs: 4000,
    unreachable,
    connectTimeoutMs: 10_000,
  });
  let events = 0;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const result = await deployFleet({
    hosts,
    app: "web",
    version: "2.0.0",
    order: ["web", "worker"],
    batchSize: BATCH,
    maxFailures: "1%",
    uploadConcurrency: 50,
    step: fleet.step,
    clock,
    onEvent: () => events++,
  });
  const cpu = process.cpuUsage(cpu0);
  const batches = new Set(result.hosts.map((h) => h.batch)).size;
  const expected = batches * PER_HOST_MS;
  return {
    hosts: HOSTS,
    batches,
    events,
    summary: result.summary,
    cpuS: (cpu.user + cpu.system) / 1e6,
    wallS: (performance.now() - wall0) / 1000,
    simulatedMs: result.summary.durationMs,
    expectedMs: expected,
    deviation: Math.abs(result.summary.durationMs - expected) / expected,
    peak: fleet.peak,
  };
}
