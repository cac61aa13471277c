// bench/fleet: the rollout engine of @deploykit/fleet.
// 1. A simulated 1,000-host plan (simulated.mjs): CPU < 10 s, and the rollout's simulated time
//    within 10 % of batches x per-host time (the engine adds no waiting of its own).
// 2. Real rollouts to 5 SSH test hosts (hosts.mjs; needs root and scripts/system-deps.sh like the
//    SSH tests): all 5 in one batch <= 1.5x one host alone; batch size 1 <= 1.1x five times one
//    host; artifact bytes sent per host (the artifact once, no more). `--simulated` runs part 1 only.
// Exits 1 when a target is missed.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realRollouts } from "./hosts.mjs";
import { simulatedRollout } from "./simulated.mjs";

const CPU_TARGET_S = 10;
const DEVIATION_TARGET = 0.1;
const PARALLEL_TARGET = 1.5;
const SERIAL_TARGET = 1.1;
const RUNS = 3;
let failed = false;
const miss = (message) => {
  console.log(`MISSED: ${message}`);
  failed = true;
};

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
if (sim.cpuS >= CPU_TARGET_S) miss(`${sim.cpuS.toFixed(2)} s of CPU`);
if (sim.deviation > DEVIATION_TARGET || summary.done + summary.failed !== sim.hosts)
  miss("simulated batch timing (or not every host ran)");

if (!process.argv.includes("--simulated")) {
  const real = await realRollouts(mkdtempSync(join(tmpdir(), "bench-fleet-")), RUNS);
  const parallel = real.allAtOnceMs / real.oneMs;
  const serial = real.oneByOneMs / (5 * real.oneMs);
  const mb = (n) => (n / 1e6).toFixed(2);
  console.log(
    `real rollouts to SSH test hosts (install of a ${mb(real.artifactBytes)} MB .tgz, ${RUNS} runs, medians)`,
  );
  console.log(`  one host alone                 ${real.oneMs.toFixed(0).padStart(6)} ms`);
  console.log(
    `  5 hosts, one batch             ${real.allAtOnceMs.toFixed(0).padStart(6)} ms  ${parallel.toFixed(2)}x one host (target <= ${PARALLEL_TARGET}x)`,
  );
  console.log(
    `  5 hosts, batch size 1          ${real.oneByOneMs.toFixed(0).padStart(6)} ms  ${serial.toFixed(2)}x 5 x one host (target <= ${SERIAL_TARGET}x)`,
  );
  console.log(
    `  artifact bytes sent per host: ${real.sentPerHost.map(mb).join(", ")} MB (artifact ${mb(real.artifactBytes)} MB)`,
  );
  if (parallel > PARALLEL_TARGET) miss(`one batch of 5 is ${parallel.toFixed(2)}x one host`);
  if (serial > SERIAL_TARGET) miss(`batch size 1 is ${serial.toFixed(2)}x 5 x one host`);
  if (real.sentPerHost.length !== 5 || real.sentPerHost.some((b) => b > real.artifactBytes))
    miss("artifact bytes per host");
}
process.exit(failed ? 1 : 0);
