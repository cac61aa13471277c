import { basename } from "node:path";
import type { HostConnection } from "../connection/connection";
import { remoteFailed } from "../connection/connection-errors";
import { failedStep, REMOTE_COMMANDS, type SequenceStep, sequence } from "../connection/remote-commands";
import { DeployKitError, isDeployKitError } from "../errors";
import { holderGone, type LockOwner, ownLockRecord, parseLockRecord } from "../host/lock-owner";
import type { HostPlan } from "../host/plan";
import { type HostState, parseState, recordLive, stateText } from "../host/state";
import { waitUntil } from "../wait";

/** What {@link REMOTE_COMMANDS}.inspectHost reported. */
interface Inspection {
  bad: string[];
  current?: string;
  currentOk: boolean;
  state: HostState;
}

/** Reads what {@link REMOTE_COMMANDS}.inspectHost printed. */
function parseInspection(host: HostConnection, plan: HostPlan, text: string): Inspection {
  const split = text.indexOf("\nstate\n");
  const head = (split < 0 ? text : text.slice(0, split)).split("\n");
  const body = split < 0 ? "" : text.slice(split + "\nstate\n".length);
  const current = head.find((line) => line.startsWith("current "))?.slice("current ".length);
  return {
    bad: head.filter((line) => line.startsWith("bad ")).map((line) => line.slice(4)),
    ...(current === undefined ? {} : { current }),
    currentOk: head.includes("current-ok"),
    state: parseState(body.trim() === "" ? undefined : body, `${host.name}:${plan.layout.state}`),
  };
}

const inspectArgs = (plan: HostPlan) => [
  plan.layout.root,
  ...plan.sharedDirs.map((dir) => `${plan.layout.shared}/${dir}`),
];

async function inspect(host: HostConnection, plan: HostPlan): Promise<Inspection> {
  const result = await host.exec(REMOTE_COMMANDS.inspectHost, { args: inspectArgs(plan) });
  return parseInspection(host, plan, result.stdout.toString());
}

export const locked = (host: HostConnection, path: string, owner: LockOwner | undefined) =>
  new DeployKitError(
    "E_LOCKED",
    `Another deploy holds ${host.name}:${path}${owner ? `: pid ${owner.pid} on ${owner.host}${owner.operation ? ` (${owner.operation})` : ""} since ${owner.since}` : ""}.`,
    {
      hint: "Let it finish (or pass lockTimeoutMs / --lock-timeout-ms to wait). A lock whose holder ran on this machine and is gone is taken over automatically; `deploykit lock --host` shows the holder and can release it.",
      details: { host: host.name, path, ...(owner ?? {}) },
    },
  );

/**
 * Takes the root's lock on a remote host: the record (this control process's pid, host name,
 * boot id and start time) is written in full, then `ln`-ed into place. A holder that ran on
 * this machine and is gone is replaced (one contender wins, see takeOverLock); any other
 * holder is waited for up to `plan.lockTimeoutMs` (each try is one round trip, 250-500 ms
 * apart), then `E_LOCKED`.
 */
async function acquire(
  host: HostConnection,
  plan: HostPlan,
  record: string,
): Promise<Inspection | undefined> {
  const path = plan.layout.lock;
  const content = `${record}\n`;
  let holder: LockOwner | undefined;
  let inspection: Inspection | undefined;
  const take = async (): Promise<boolean> => {
    // One round trip: the lock, and when it was ours, the inspection under it.
    const placed = await host.exec(
      sequence([
        ["createExclusive", [path, String(Buffer.byteLength(content))]],
        ["inspectHost", inspectArgs(plan)],
      ]),
      { input: content },
    );
    if (placed.exitCode === 0) {
      inspection = parseInspection(host, plan, placed.stdout.toString());
      return true;
    }
    if (placed.exitCode !== 5) {
      const failed = failedStep(placed.stderr);
      throw remoteFailed(host.name, failed.command ?? "createExclusive", placed.exitCode, failed.message);
    }
    const held = placed.stdout.toString();
    holder = parseLockRecord(held);
    const why = holder ? await holderGone(holder) : undefined;
    if (!holder || !why) return false;
    const taken = await host.exec(REMOTE_COMMANDS.takeOverLock, {
      args: [path, held.replace(/\n+$/, ""), holder.token, String(Buffer.byteLength(content))],
      input: content,
    });
    if (taken.exitCode !== 0) return false;
    plan.onEvent?.({
      type: "warning",
      step: "lock",
      message: `Took over an abandoned lock on ${host.name} of pid ${holder.pid} since ${holder.since}: ${why}.`,
    });
    return true;
  };
  const intervalMs = 250 + Math.floor(Math.random() * 250);
  const taken = await waitUntil(plan.ports.clock, take, {
    timeoutMs: plan.lockTimeoutMs,
    intervalMs,
    signal: plan.signal,
  });
  if (!taken) throw locked(host, path, holder);
  return inspection;
}

/**
 * The lock's release, for `work` to run as the last step of its own last script (one round trip
 * less): it sets `released` once that script ran it (or found the lock no longer ours).
 */
export interface LockRelease {
  readonly step: SequenceStep;
  released: boolean;
}

/**
 * {@link withHostLock} for a root on a remote host, in ONE round trip before `work`: the lock
 * and, in the same script once it is ours, an inspection that sweeps the debris of interrupted runs and returns the layout and
 * `state.json`. The layout is checked (`E_HOST_STATE`), and a `current` switched by a run that
 * was cut before it recorded the switch is recorded now (the state follows `current`, which
 * only ever points at complete releases). The lock is released whatever happens: by `work`'s
 * last script (see {@link LockRelease}), else in a round trip of its own.
 */
export async function withRemoteHostLock<T>(
  plan: HostPlan,
  operation: string,
  work: (state: HostState, release: LockRelease) => Promise<T>,
): Promise<T> {
  const { host, layout } = plan;
  const owner = await ownLockRecord(new Date(plan.ports.clock.now()).toISOString(), operation);
  const record = JSON.stringify(owner);
  const release: LockRelease = { step: ["removeIfHolds", [layout.lock, record]], released: false };
  let inspected: Inspection | undefined;
  try {
    inspected = await acquire(host, plan, record);
  } catch (error) {
    // Cut after the host created the lock but before we heard: remove it if it is ours.
    if (!isDeployKitError(error, "E_LOCKED"))
      await host.removeIfHolds(layout.lock, record).catch(() => undefined);
    throw error;
  }
  try {
    // Taken over from an abandoned holder: not inspected yet.
    const found = inspected ?? (await inspect(host, plan));
    if (found.bad.length > 0) {
      throw new DeployKitError(
        "E_HOST_STATE",
        `On ${host.name}, ${found.bad.join(", ")} ${found.bad.length > 1 ? "are" : "is"} not what the host layout needs (a directory; current: a symlink to releases/<version>).`,
        {
          hint: "Move it away on the server, then run it again.",
          details: { host: host.name, paths: found.bad },
        },
      );
    }
    const { state } = found;
    const linked = found.current === undefined ? undefined : basename(found.current);
    if (found.currentOk && linked && linked !== state.current && state.releases[linked]) {
      recordLive(state, linked, "recover", plan.ports.clock);
      await host.writeFile(layout.state, stateText(state));
      plan.onEvent?.({
        type: "warning",
        step: "recover",
        message: `current on ${host.name} points at ${linked}, which the state did not record as live: recorded now.`,
      });
    }
    return await work(state, release);
  } finally {
    if (!release.released) await host.removeIfHolds(layout.lock, record).catch(() => undefined);
  }
}
