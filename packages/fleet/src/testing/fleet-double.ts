import { type Clock, DeployKitError, type ErrorCode } from "@deploykit/core";
import type { HostAction } from "../events";
import type { HostStep } from "../step";

/** How the simulated hosts behave. Times in ms of the `clock`. */
export interface FleetDoubleOptions {
  /** The clock every simulated wait goes through: `createSimulatedClock()` for a plan of 1,000 hosts in milliseconds. */
  clock: Clock;
  /** The version each host runs at the start. Default `"1.0.0"` for every host. */
  initial?: string | Record<string, string>;
  /** Time of one host's deploy, upload included. Default 1000 ms; a function for per-host times. */
  deployMs?: number | ((host: string) => number);
  /** Part of `deployMs` spent uploading the artifact, under the rollout's upload limit. Default 0. */
  uploadMs?: number;
  /** Time of one host's rollback. Default 200 ms. */
  rollbackMs?: number;
  /** Hosts whose new release fails its health gate: they restore the old one themselves (`E_HEALTHCHECK`). */
  unhealthy?: string[];
  /** Hosts whose deploy fails before the switch with this code (e.g. `{ web3: "E_LOCKED" }`). */
  failing?: Record<string, ErrorCode>;
  /** Hosts that cannot be reached: `E_HOST_UNREACHABLE` after `connectTimeoutMs`. */
  unreachable?: string[];
  /** The connect timeout an unreachable host costs. Default 10000 ms (ssh's ConnectTimeout 10). */
  connectTimeoutMs?: number;
}

/** One call of the double's step, for assertions on order and overlap. */
export interface FleetDoubleCall {
  host: string;
  action: HostAction;
  version?: string;
  /** Clock times, in ms. */
  startedAt: number;
  finishedAt?: number;
}

/** An in-memory fleet: a per-host step for `deployFleet({ step })` and what each host runs. */
export interface FleetDouble {
  step: HostStep;
  /** The version each host runs now (hosts never touched keep their initial one). */
  live(host: string): string;
  /** Every step call, in start order. */
  calls: FleetDoubleCall[];
  /** The most hosts ever inside a step at once, and uploads at once. */
  readonly peak: { hosts: number; uploads: number };
  /** Makes a host unreachable (`false`) or reachable again (`true`) from its next step on: a host going down. */
  setReachable(host: string, reachable: boolean): void;
}

/**
 * An in-memory fleet for unit-testing a rollout plan: each host's deploy takes `deployMs` on the
 * given clock, may fail its health gate (and restore its old release, as core's `deploy()`
 * does), fail outright, or be unreachable (`E_HOST_UNREACHABLE` after the connect timeout).
 * It emits `step:start` / `step:finish` and upload `progress` events like the real step.
 *
 * @example
 * ```ts
 * const clock = createSimulatedClock()
 * const fleet = createFleetDouble({ clock, unhealthy: ["web2"] })
 * const result = await deployFleet({ hosts, version: "2.0.0", step: fleet.step, clock, batchSize: 2 })
 * ```
 */
export function createFleetDouble(options: FleetDoubleOptions): FleetDouble {
  const { clock } = options;
  const versions = new Map<string, string>();
  const down = new Set(options.unreachable ?? []);
  const calls: FleetDoubleCall[] = [];
  const peak = { hosts: 0, uploads: 0 };
  let inside = 0;
  let uploading = 0;
  const live = (host: string) =>
    versions.get(host) ??
    (typeof options.initial === "string" ? options.initial : (options.initial?.[host] ?? "1.0.0"));
  const deployMs = (host: string) =>
    typeof options.deployMs === "function" ? options.deployMs(host) : (options.deployMs ?? 1000);

  const step: HostStep = async ({ host: { name }, action, version, onEvent, signal, uploads }) => {
    const call: FleetDoubleCall = {
      host: name,
      action,
      ...(version ? { version } : {}),
      startedAt: clock.now(),
    };
    calls.push(call);
    peak.hosts = Math.max(peak.hosts, ++inside);
    try {
      if (down.has(name)) {
        await clock.sleep(options.connectTimeoutMs ?? 10_000, signal);
        throw new DeployKitError(
          "E_HOST_UNREACHABLE",
          `Cannot reach ${name} over SSH: Connection timed out.`,
          {
            hint: "Check that `ssh` to that host works from this machine.",
            details: { host: name },
          },
        );
      }
      const before = live(name);
      if (action === "rollback") {
        await clock.sleep(options.rollbackMs ?? 200);
        const target = version ?? before;
        versions.set(name, target);
        return {
          versionBefore: before,
          versionAfter: target,
          ...(target === before ? { unchanged: true } : {}),
        };
      }
      const target = version as string;
      if (before === target) return { versionBefore: before, versionAfter: before, unchanged: true };
      const code = options.failing?.[name];
      if (code) throw new DeployKitError(code, `${name}: simulated ${code}.`, { details: { host: name } });
      const upload = Math.min(options.uploadMs ?? 0, deployMs(name));
      onEvent({ type: "step:start", step: "upload", message: `Uploading ${target}` });
      await uploads.run(async () => {
        peak.uploads = Math.max(peak.uploads, ++uploading);
        await clock.sleep(upload);
        uploading--;
      });
      onEvent({ type: "progress", step: "upload", bytes: 1, total: 1 });
      onEvent({ type: "step:finish", step: "upload", message: `Uploading ${target}`, durationMs: upload });
      await clock.sleep(deployMs(name) - upload);
      if (options.unhealthy?.includes(name)) {
        const cause = new DeployKitError("E_HEALTHCHECK", `${name}: ${target} failed its health gate.`);
        return { versionBefore: before, versionAfter: before, restored: true, cause };
      }
      versions.set(name, target);
      return { versionBefore: before, versionAfter: target };
    } finally {
      inside--;
      call.finishedAt = clock.now();
    }
  };
  return {
    step,
    live,
    calls,
    peak,
    setReachable: (host, reachable) => (reachable ? down.delete(host) : down.add(host)),
  };
}
