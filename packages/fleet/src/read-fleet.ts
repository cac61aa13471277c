import {
  DeployKitError,
  type HostConnection,
  type HostReleases,
  inspectLock,
  isDeployKitError,
  listInstalled,
  liveRelease,
  type RuntimeStrategy,
  status,
  strategyContext,
} from "@deploykit/core";
import { type ConnectHost, withConnection } from "./connect";
import type { StrategyChoice } from "./host-step";
import type { FleetHost } from "./inventory/model";
import { createLimiter } from "./limiter";
import { type FleetSelection, selectHosts } from "./select";

/** Options for {@link fleetReleases} and {@link fleetStatus}. */
export interface ReadFleetOptions extends FleetSelection {
  /** Hosts read at once. Default 16. */
  concurrency?: number;
  /** `fleetStatus`: asks each host's strategy whether the app runs (its `status()`, over the host's connection). */
  strategy?: StrategyChoice;
  /** How each host is reached. Default its inventory settings. */
  connect?: ConnectHost;
}

/** One host's releases, or why they could not be read. */
export interface HostReleasesResult {
  host: string;
  roles: string[];
  releases?: HostReleases;
  /** `E_HOST_UNREACHABLE`, `E_STATE_CORRUPT`... */
  error?: { code: string; message: string };
}

/** One host at a glance. */
export interface HostStatusResult {
  host: string;
  roles: string[];
  /** The live release's version. */
  live?: string;
  previous?: string;
  /** Whether the root's deploy lock is held, and what the lock file says (pid, host, since). */
  lock?: { held: boolean; holder?: string };
  /** Whether the app's processes are up (the strategy's `status()`), when it could be asked. */
  processes?: { running: boolean; strategy: string; pids?: number[]; error?: string };
  error?: { code: string; message: string };
}

const errorOf = (error: unknown) =>
  isDeployKitError(error)
    ? { code: (error as DeployKitError).code, message: error.message }
    : { code: "E_COMMAND_FAILED", message: (error as Error)?.message ?? String(error) };

async function eachHost<T>(options: ReadFleetOptions, read: (host: FleetHost) => Promise<T>) {
  const { hosts } = selectHosts(options);
  const limit = createLimiter(options.concurrency ?? 16);
  return Promise.all(hosts.map((host) => limit.run(() => read(host))));
}

const uploadsUnused = createLimiter(Number.POSITIVE_INFINITY);

/** The strategy's `status()` of the live release, run over the host's connection (undefined: nothing live). */
async function remoteProcesses(strategy: RuntimeStrategy, connection: HostConnection, host: FleetHost) {
  const root = host.root as string;
  const live = await liveRelease(root, { host: connection }).catch(() => undefined);
  if (!live) return undefined;
  const ctx = strategyContext({
    host: connection,
    app: live.release.manifest.app,
    root,
    ...live,
    ...(host.env ? { env: host.env } : {}),
  });
  try {
    return { strategy: strategy.name, ...((await strategy.status?.(ctx)) ?? { running: false }) };
  } catch (error) {
    return { strategy: strategy.name, running: false, error: (error as Error).message };
  }
}

/**
 * What each host of an inventory (or a role) has installed, read in parallel over each host's
 * connection (core's `listInstalled()`). A host that cannot be read, or whose root is not there
 * (`E_NOT_FOUND`), has `error` instead.
 * @throws `DeployKitError` `E_INVALID_INPUT` (no host, unknown role) before any host is read.
 */
export function fleetReleases(options: ReadFleetOptions): Promise<HostReleasesResult[]> {
  return eachHost(options, async (host) => {
    const base = { host: host.name, roles: host.roles };
    try {
      const releases = await withConnection(
        host,
        uploadsUnused,
        async (connection) => {
          const root = host.root as string;
          // A mistyped root must not read as "nothing installed" (status says E_NOT_FOUND too).
          if ((await connection.list(root)) === undefined)
            throw new DeployKitError("E_NOT_FOUND", `The host root ${host.name}:${root} does not exist.`, {
              hint: "Check the host's root in the inventory: the directory holding releases/ and current.",
              details: { host: host.name, root },
            });
          return listInstalled(root, { host: connection });
        },
        options.connect,
      );
      return { ...base, releases };
    } catch (error) {
      return { ...base, error: errorOf(error) };
    }
  });
}

/**
 * Which version each host runs, whether its deploy lock is held, and (with a strategy) whether
 * its processes are up: core's `status()` on this machine; over SSH `listInstalled()`,
 * `inspectLock()` and the strategy's `status()` through the host's connection. Read-only, in parallel; a host that cannot be read has `error`.
 * @throws `DeployKitError` `E_INVALID_INPUT` (no host, unknown role) before any host is read.
 */
export function fleetStatus(options: ReadFleetOptions): Promise<HostStatusResult[]> {
  return eachHost(options, async (host) => {
    const base = { host: host.name, roles: host.roles };
    const root = host.root as string;
    try {
      if (host.connection.local && !options.connect) {
        const strategy = typeof options.strategy === "function" ? options.strategy(host) : options.strategy;
        const seen = await status({
          root,
          ...(strategy ? { strategy } : {}),
          ...(host.env ? { env: host.env } : {}),
        });
        return {
          ...base,
          ...(seen.live ? { live: seen.live.version } : {}),
          ...(seen.previous ? { previous: seen.previous.version } : {}),
          lock: {
            held: seen.lock.held,
            ...(seen.lock.owner ? { holder: JSON.stringify(seen.lock.owner) } : {}),
          },
          ...(seen.processes ? { processes: seen.processes } : {}),
        };
      }
      return await withConnection(
        host,
        uploadsUnused,
        async (connection) => {
          const releases = await listInstalled(root, { host: connection });
          const lock = await inspectLock({ root, host: connection });
          const strategy = typeof options.strategy === "function" ? options.strategy(host) : options.strategy;
          const processes = strategy?.status ? await remoteProcesses(strategy, connection, host) : undefined;
          return {
            ...base,
            ...(releases.current ? { live: releases.current } : {}),
            ...(releases.previous ? { previous: releases.previous } : {}),
            lock: { held: lock.held, ...(lock.owner ? { holder: JSON.stringify(lock.owner) } : {}) },
            ...(processes ? { processes } : {}),
          };
        },
        options.connect,
      );
    } catch (error) {
      return { ...base, error: errorOf(error) };
    }
  });
}
