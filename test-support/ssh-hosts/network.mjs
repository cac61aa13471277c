// Network namespaces of the SSH test hosts: one /30 of 198.18.213.0/24 per host (a range reserved
// for network tests), a veth pair, and a guard route so nothing for that range leaves this machine.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export const RANGE = "198.18.213.0/24";
/** Slots 0..63: slot n owns 198.18.213.(4n)/30; the host side is .4n+1, the container .4n+2. */
export const SLOTS = 64;
export const namespaceOf = (slot) => `dkth${slot}`;
export const hostLinkOf = (slot) => `dkth${slot}h`;
export const addressesOf = (slot) => ({
  local: `198.18.213.${4 * slot + 1}`,
  remote: `198.18.213.${4 * slot + 2}`,
});

export const ip = (...args) => run("ip", args);
const quiet = (promise) =>
  promise.then(
    () => true,
    () => false,
  );

/**
 * Claims a free slot by creating its network namespace (`ip netns add` fails when the name
 * exists, so two test files never get the same slot), then wires the veth pair into it.
 */
export async function claimSlot() {
  await quiet(ip("route", "add", "unreachable", RANGE));
  for (let slot = 0; slot < SLOTS; slot++) {
    if (!(await quiet(ip("netns", "add", namespaceOf(slot))))) continue;
    try {
      await wire(slot);
      return slot;
    } catch (error) {
      await releaseSlot(slot);
      throw error;
    }
  }
  throw new Error(`all ${SLOTS} test host slots (network namespaces dkth0..dkth${SLOTS - 1}) are taken`);
}

async function wire(slot) {
  const ns = namespaceOf(slot);
  const { local, remote } = addressesOf(slot);
  await quiet(ip("link", "del", hostLinkOf(slot)));
  await ip("link", "add", hostLinkOf(slot), "type", "veth", "peer", "name", "eth0", "netns", ns);
  await ip("addr", "add", `${local}/30`, "dev", hostLinkOf(slot));
  await ip("link", "set", hostLinkOf(slot), "up");
  await ip("-n", ns, "addr", "add", `${remote}/30`, "dev", "eth0");
  await ip("-n", ns, "link", "set", "eth0", "up");
  await ip("-n", ns, "link", "set", "lo", "up");
}

const ipSync = (...args) => {
  try {
    return execFileSync("ip", args, { stdio: ["ignore", "pipe", "ignore"], encoding: "utf8" });
  } catch {
    return undefined;
  }
};
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Deletes a slot's namespace (its veth pair goes with it) and, when no slot is left, the guard
 * route. Synchronous, so it also runs from a process 'exit' handler.
 */
export function releaseSlot(slot) {
  ipSync("netns", "del", namespaceOf(slot));
  // Namespace deletion is asynchronous: wait for the host end of the pair to vanish.
  for (let i = 0; i < 50 && ipSync("link", "show", hostLinkOf(slot)) !== undefined; i++) {
    if (i === 20) ipSync("link", "del", hostLinkOf(slot));
    pause(100);
  }
  if (!/^dkth\d+/m.test(ipSync("netns", "list") ?? "")) ipSync("route", "del", "unreachable", RANGE);
}

/** Takes a host's link down or up (`ip -n NS link set eth0 down|up`): a cut cable. */
export const setLink = (slot, up) => ip("-n", namespaceOf(slot), "link", "set", "eth0", up ? "up" : "down");
