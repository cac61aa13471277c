import type { HostConnection } from "../connection/connection";
import { hostUnreachable } from "../connection/connection-errors";
import { localHost } from "../connection/local-host";
import type { Clock } from "../ports/clock";
import { createSystemClock } from "../ports/clock";

/** Options for {@link createSimulatedHost}. Times in ms. */
export interface SimulatedHostOptions {
  /** The host's name in events and errors (as `sshHost()`'s `user@server`). */
  name: string;
  /** Added before every round trip (a network's latency). Default 0. */
  latencyMs?: number;
  /** Added once, before the first round trip (the SSH handshake). Default `latencyMs`. */
  handshakeMs?: number;
  /** The clock the latencies are slept on. Default the system clock. */
  clock?: Clock;
  /** The host cannot be reached: every round trip fails `E_HOST_UNREACHABLE` after `connectTimeoutMs`. */
  unreachable?: boolean;
  /** Round trips that succeed before the host goes down (a host lost mid-operation). */
  downAfter?: number;
  /** What an unreachable host costs before it fails (ssh's ConnectTimeout). Default 10000 ms. */
  connectTimeoutMs?: number;
}

/** A {@link HostConnection} double: see {@link createSimulatedHost}. */
export interface SimulatedHost extends HostConnection {
  /** Takes the host down (`false`, every later round trip fails) or brings it back (`true`). */
  setReachable(reachable: boolean): void;
}

/**
 * A server for unit tests and fleet simulations: acts on this machine's files (paths are used
 * as given: give each simulated host its own root dir) but reports `kind: "ssh"`, so deploykit
 * takes exactly its remote code path (catalogue scripts through `exec`, uploads, the remote
 * lock), with a latency per round trip, a handshake, and hosts that are unreachable or go
 * down after N round trips (`E_HOST_UNREACHABLE`, as `sshHost()` reports them). Many of them
 * make a fleet for `@deploykit/fleet` without containers.
 *
 * @example
 * ```ts
 * const web1 = createSimulatedHost({ name: "deploy@web1", latencyMs: 20 })
 * await install({ store, app: "web", version: "1.0.0", root: join(tmp, "web1"), host: web1 })
 * ```
 */
export function createSimulatedHost(options: SimulatedHostOptions): SimulatedHost {
  const inner = localHost();
  const clock = options.clock ?? createSystemClock();
  const stats = { roundTrips: 0, handshakes: 0 };
  let reachable = options.unreachable !== true;
  const trip = async () => {
    const down = !reachable || (options.downAfter !== undefined && stats.roundTrips >= options.downAfter);
    if (down) {
      await clock.sleep(options.connectTimeoutMs ?? 10_000);
      throw hostUnreachable(options.name, "ssh: connect to host: Connection timed out (simulated)");
    }
    if (stats.handshakes === 0) {
      stats.handshakes++;
      await clock.sleep(options.handshakeMs ?? options.latencyMs ?? 0);
    }
    stats.roundTrips++;
    if (options.latencyMs) await clock.sleep(options.latencyMs);
  };
  const setReachable = (value: boolean) => {
    reachable = value;
    if (value) options.downAfter = undefined;
  };
  // Every operation of the connection interface, present and future, is one round trip.
  return new Proxy(inner, {
    get(target, key) {
      if (key === "name") return options.name;
      if (key === "kind") return "ssh";
      if (key === "stats") return stats;
      if (key === "setReachable") return setReachable;
      const value = Reflect.get(target, key, target);
      if (key === "close" || typeof value !== "function")
        return typeof value === "function" ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        await trip();
        return value.apply(target, args);
      };
    },
  }) as SimulatedHost;
}
