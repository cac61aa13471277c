// Each test host runs in its own cgroup (this machine's PID 1 is not systemd, so nspawn runs with
// --register=no --keep-unit and needs one made for it) in the name=systemd v1 hierarchy and in
// the cgroup2 mount. Teardown kills whatever is left in the tree and removes it. Synchronous, so
// it also runs from a process 'exit' handler.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";

const HIERARCHIES = ["/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"].filter((dir) => existsSync(dir));
const PARENT = "deploykit-test-hosts";

/** The cgroup directories of one host, one per hierarchy. */
export const cgroupDirs = (name) => HIERARCHIES.map((root) => join(root, PARENT, name));

export function createCgroup(name) {
  if (HIERARCHIES.length === 0)
    throw new Error("no /sys/fs/cgroup/systemd or /sys/fs/cgroup/unified hierarchy");
  for (const dir of cgroupDirs(name)) mkdirSync(dir, { recursive: true });
  return cgroupDirs(name);
}

function walk(dir, out) {
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) if (entry.isDirectory()) walk(join(dir, entry.name), out);
  out.push(dir); // children first, so rmdir can go in order
  return out;
}

/** Pids still in a host's cgroup trees. */
export function cgroupPids(name) {
  const pids = new Set();
  for (const root of cgroupDirs(name)) {
    for (const dir of walk(root, [])) {
      let text = "";
      try {
        text = readFileSync(join(dir, "cgroup.procs"), "utf8");
      } catch {}
      for (const line of text.split("\n")) if (line) pids.add(Number(line));
    }
  }
  return [...pids];
}

const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** SIGKILLs every process left in a host's cgroups, then removes the cgroup directories. */
export function destroyCgroup(name) {
  for (let round = 0; round < 100; round++) {
    const pids = cgroupPids(name);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    pause(50);
  }
  for (const root of cgroupDirs(name)) {
    for (const dir of walk(root, [])) {
      try {
        rmdirSync(dir);
      } catch {}
    }
  }
}
