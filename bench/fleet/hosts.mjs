// bench/fleet, real part: rollouts of one .tgz (install, no restart) to 5 real SSH test hosts
// (test-support/ssh-hosts: containers with their own sshd), against the same install to one host
// alone, in one run. RUNS of each, fresh roots each time, medians. Also counts the artifact bytes
// the control machine sent to each host (its upload progress), against the artifact's size, and,
// in one more run of each, each host's CPU on the control machine and on the host (cpu.mjs).
// Interleaved with those runs, the baseline tool on the same hosts (bench/support/scp-tar.mjs:
// scp + ssh 'tar -xzf && ln -sfn', the deploy scripted by hand): one host alone, and all 5 at
// once (Promise.all), so its own scaling shows what this rig allows 5 parallel installs.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createFsStore, publish } from "@deploykit/core";
import { deployFleet, parseInventory } from "@deploykit/fleet";
import { startTestHosts } from "../../test-support/ssh-hosts/index.mjs";
import { incompressibleRelease, median } from "../support/release.mjs";
import { scpTarClean, scpTarDeploy } from "../support/scp-tar.mjs";
import { connectionCpu, cpuSplit } from "./cpu.mjs";

const NAMES = ["b1", "b2", "b3", "b4", "b5"];
const SIZE = 4_000_000;

export async function realRollouts(work, runs) {
  const hosts = await startTestHosts({ hosts: NAMES });
  try {
    const pkg = incompressibleRelease(work, { version: "1.0.0", size: SIZE });
    const store = createFsStore({ dir: join(work, "store") });
    await publish(pkg, { store });
    const inventoryFor = (names, root) =>
      parseInventory(
        `app: bench\nroot: ${root}\nssh: { sshConfig: ${hosts.sshConfig} }\nhosts: [${names.join(", ")}]\n`,
      );
    const rollout = async (names, batchSize, root, connect) => {
      const sent = new Map();
      const started = performance.now();
      const result = await deployFleet({
        inventory: inventoryFor(names, root),
        store,
        version: "1.0.0",
        batchSize,
        ...(connect ? { connect } : {}),
        onEvent: (e) => {
          if (e.type === "progress" && e.step === "upload")
            sent.set(e.host, Math.max(sent.get(e.host) ?? 0, e.bytes));
        },
      });
      const ms = performance.now() - started;
      if (!result.ok) throw new Error(`rollout failed: ${JSON.stringify(result.summary)}`);
      return { ms, sent };
    };
    const clean = (names, root) => Promise.all(names.map((n) => hosts.host(n).ssh(`rm -rf ${root}`)));
    const measured = async (names, batchSize, root) => {
      const run = await rollout(names, batchSize, root);
      await clean(names, root);
      return run;
    };
    const baseline = async (names, root) => {
      const targets = names.map((host) => ({
        sshConfig: hosts.sshConfig,
        host,
        dir: `${root}/releases/1.0.0`,
        link: `${root}/current`,
        tag: `bench-${root.replaceAll("/", "-")}`,
      }));
      const started = performance.now();
      await Promise.all(targets.map((t) => scpTarDeploy({ ...t, file: pkg.path })));
      const ms = performance.now() - started;
      await Promise.all(targets.map(scpTarClean));
      await clean(names, root);
      return ms;
    };
    const one = [];
    const allAtOnce = [];
    const oneByOne = [];
    const baselineOne = [];
    const baselineAll = [];
    let sent;
    for (let run = 0; run < runs; run++) {
      one.push((await measured(["b1"], 1, `/srv/one-${run}`)).ms);
      const all = await measured(NAMES, 5, `/srv/all-${run}`);
      allAtOnce.push(all.ms);
      sent = all.sent;
      oneByOne.push((await measured(NAMES, 1, `/srv/seq-${run}`)).ms);
      baselineOne.push(await baseline(["b1"], `/srv/base-one-${run}`));
      baselineAll.push(await baseline(NAMES, `/srv/base-all-${run}`));
    }
    // Where the CPU goes, in separate runs (reading it costs CPU of its own).
    const cpuOne = await cpuSplit(hosts, ["b1"], (connect) => rollout(["b1"], 1, "/srv/cpu-one", connect));
    const cpuAll = await cpuSplit(hosts, NAMES, (connect) => rollout(NAMES, 5, "/srv/cpu-all", connect));
    const connection = await connectionCpu(hosts, "b1");
    return {
      connection,
      cpuOne,
      cpuAll,
      artifactBytes: pkg.manifest.artifact.size,
      sentPerHost: [...(sent ?? new Map()).values()],
      oneMs: median(one),
      allAtOnceMs: median(allAtOnce),
      oneByOneMs: median(oneByOne),
      baselineOneMs: median(baselineOne),
      baselineAllMs: median(baselineAll),
    };
  } finally {
    await hosts.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
