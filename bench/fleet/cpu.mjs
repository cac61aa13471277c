// bench/fleet, CPU split: where one host's install spends CPU, on the control machine (this node
// process; the ssh client processes it spawns, reaped by it; each host's ssh master, detached)
// and on the host (its container's cgroup: sshd, shells, tar, sha256sum...). Read from
// /proc/self/stat (children's utime + stime), /proc/<pid>/stat of the masters, and the cgroup2
// cpu.stat of each test host. Also counts round trips, handshakes and ssh client processes.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sshHost } from "@deploykit/core";
import { cgroupDirs } from "../../test-support/ssh-hosts/cgroup.mjs";

const TICK_MS = 10; // USER_HZ is 100 on Linux: /proc times are in 10 ms ticks

const ticks = (stat, from) => {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[from]) + Number(fields[from + 1])) * TICK_MS;
};
/** CPU (ms) of this process's children that exited and were reaped: the ssh clients. */
const childrenMs = () => ticks(readFileSync("/proc/self/stat", "utf8"), 13);
/** CPU (ms) of the live processes whose command line contains `needle`. */
function processesMs(needle) {
  let ms = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle))
        ms += ticks(readFileSync(`/proc/${pid}/stat`, "utf8"), 11);
    } catch {}
  }
  return ms;
}
/** CPU (ms) a test host's container used so far (cgroup2 `usage_usec`). */
function hostMs(machine) {
  const dir = cgroupDirs(machine).find((d) => d.includes("/unified/"));
  return Number(/usage_usec (\d+)/.exec(readFileSync(join(dir, "cpu.stat"), "utf8"))[1]) / 1000;
}

/**
 * Runs `rollout(connect)` once, with `connect` opening each host as the default does
 * (`sshHost()`), but with a control dir known here so each master's CPU can be read before it
 * exits. @returns per-host averages (ms) and counts.
 */
export async function cpuSplit(hosts, names, rollout) {
  const masters = [];
  const stats = [];
  let scanMs = 0; // this process's own CPU reading /proc for the masters, left out of its figure
  const connect = (host) => {
    const dir = mkdtempSync(join(tmpdir(), "bench-fleet-ssh-"));
    const connection = sshHost({ host: host.name, sshConfig: hosts.sshConfig, controlDir: dir });
    stats.push(connection.stats);
    const close = async () => {
      const scan = process.cpuUsage();
      masters.push(processesMs(join(dir, "master")));
      const used = process.cpuUsage(scan);
      scanMs += (used.user + used.system) / 1000;
      await connection.close();
      rmSync(dir, { recursive: true, force: true });
    };
    return new Proxy(connection, {
      get: (target, key) => (key === "close" ? close : Reflect.get(target, key, target)),
    });
  };
  const machines = names.map((n) => hosts.host(n).machine);
  const host0 = machines.map(hostMs);
  const node0 = process.cpuUsage();
  const children0 = childrenMs();
  await rollout(connect);
  const node = process.cpuUsage(node0);
  const n = names.length;
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  const trips = sum(stats.map((s) => s.roundTrips));
  const handshakes = sum(stats.map((s) => s.handshakes));
  return {
    nodeMs: ((node.user + node.system) / 1000 - scanMs) / n,
    sshClientsMs: (childrenMs() - children0) / n,
    mastersMs: sum(masters) / n,
    hostMs: sum(machines.map((m, i) => hostMs(m) - host0[i])) / n,
    roundTrips: trips / n,
    handshakes: handshakes / n,
    // each round trip and each handshake is one ssh client process; close() adds `-O exit`
    sshProcesses: (trips + handshakes + stats.length) / n,
  };
}

/**
 * CPU (ms) of one bare connection to a host: the master's handshake, one `true`, `-O exit`
 * (client processes, reaped here) and what the host spent on it: the fixed cost every host
 * of a rollout pays before any byte of the release moves. Median of `runs`.
 */
export async function connectionCpu(hosts, name, runs = 3) {
  const machine = hosts.host(name).machine;
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const host0 = hostMs(machine);
    const children0 = childrenMs();
    const connection = sshHost({ host: name, sshConfig: hosts.sshConfig });
    await connection.exec("true");
    await connection.close();
    samples.push({ clientMs: childrenMs() - children0, hostMs: hostMs(machine) - host0 });
  }
  const mid = (key) => samples.map((s) => s[key]).sort((a, b) => a - b)[Math.floor(runs / 2)];
  return { clientMs: mid("clientMs"), hostMs: mid("hostMs") };
}
