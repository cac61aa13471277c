// bench/fleet: the rollout engine of @deploykit/fleet.
// 1. A simulated 1,000-host plan (simulated.mjs): CPU < 10 s, and the rollout's simulated time
//    within 10 % of batches x per-host time (the engine adds no waiting of its own).
// Exits 1 when a target is missed.
import { simulatedRollout } from "./simulated.mjs";

const CPU_TARGET_S = 10;
const DEVIATION_TARGET = 0.1;
let failed = false;

const sim = await simulatedRollout();
const { summary } = sim;
console.log(
  `simulated rollout: ${sim.hosts} hosts in ${sim.batches} batches (5 % each, web then worker), ${sim.events} events`,
);
console.log(
  `  outcome: ${summary.done} done, ${summary.failed} failed (unreachable), ${summary.skipped} skipped; peak ${sim.peak.hosts} hosts / ${sim.peak.uploads} uploads in flight`,
);
console.log(`  CPU ${sim.cpuS.toFixed(2)} s (target < ${CPU_TARGET_S} s), wall ${sim.wallS.toFixed(2)} s`);
console.log(
  `  simulated time ${(sim.simulatedMs / 1000).toFixed(1)} s vs batches x per-host ${(sim.expectedMs / 1000).toFixed(1)} s: ${(sim.deviation * 100).toFixed(1)} % off (target <= ${DEVIATION_TARGET * 100} %)`,
);
if (sim.cpuS >= CPU_TARGET_S) {
  console.log(`MISSED: ${sim.cpuS.toFixed(2)} s of CPU`);
  failed = true;
}
if (sim.deviation > DEVIATION_TARGET || summary.done + summary.failed !== sim.hosts) {
  console.log("MISSED: simulated batch timing (or not every host ran)");
  failed = true;
}
process.exit(failed ? 1 : 0);
