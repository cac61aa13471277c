import { resolve } from "node:path";
import type { HostConnection } from "./connection/connection";
import { assertDirectory } from "./directory";
import { DeployKitError } from "./errors";
import { hostLayout } from "./host/layout";
import { type HistoryEntry, hostRelease, readState } from "./host/state";
import { inspectLock, type LockStatus } from "./lock";
import type { Ports } from "./ports";
import { readRemoteState } from "./remote/rollback";
import { strategyContext } from "./restart";
import type { RuntimeStrategy, StrategyStatus } from "./strategy";

/** Options for {@link status}. */
export interface StatusOptions extends Partial<Ports> {
  /** The host root. */
  root: string;
  /** Asked whether the app's processes are up (its `status()`), when given and it has one. */
  strategy?: RuntimeStrategy;
  /** How many of the latest deploys to report, newest first. Default 5. */
  history?: number;
  /** Extra environment the strategy's status check sees (as for a restart). */
  env?: Record<string, string>;
  /** The host the root is on: this machine (default) or `sshHost(...)`; `root` is then absolute. */
  host?: HostConnection;
}

/** A release as {@link status} shows it. */
export interface StatusRelease {
  version: string;
  installedAt: string;
  dir: string;
}

/** A host root at a glance, as {@link status} reports it. */
export interface HostStatus {
  root: string;
  app?: string;
  /** The live release (`current`). */
  live?: StatusRelease;
  /** The release a rollback would return to. */
  previous?: StatusRelease;
  /** Who holds the deploy lock, if anyone. */
  lock: LockStatus;
  /** The strategy's report on the processes; `error` when its check failed. */
  processes?: StrategyStatus & { strategy: string; error?: string };
  /** The latest deploys (installs, rollbacks), newest first. */
  history: HistoryEntry[];
  /** Releases installed in total. */
  installed: number;
}

/**
 * What runs on a host: the live and previous releases, the deploy lock's holder, whether the
 * processes are up (through the strategy's `status()`), and the latest deploys. Reads only;
 * takes no lock.
 *
 * @example
 * ```ts
 * const s = await status({ root: "/srv/web", strategy: unicorn({}) })
 * console.log(s.live?.version, s.processes?.running, s.lock.held)
 * ```
 * With `host: sshHost(...)` it reads the server's root, lock and processes over SSH.
 *
 * @throws {@link DeployKitError} `E_NOT_FOUND`, `E_NOT_A_DIRECTORY` (root), `E_STATE_CORRUPT`.
 */
export async function status(options: StatusOptions): Promise<HostStatus> {
  const { host } = options;
  const remote = host !== undefined && host.kind !== "local";
  const layout = hostLayout(remote ? options.root : resolve(options.root));
  const hint = "Check the root: the directory holding releases/ and current.";
  if (remote) {
    if ((await host.list(layout.root)) === undefined)
      throw new DeployKitError("E_NOT_FOUND", `The host root ${host.name}:${layout.root} does not exist.`, {
        hint,
        details: { host: host.name, root: layout.root },
      });
  } else {
    await assertDirectory(layout.root, { what: "The host root", mustExist: true, hint });
  }
  const state = remote ? await readRemoteState({ host, layout }) : await readState(layout.state);
  const view = (version: string | undefined): StatusRelease | undefined => {
    const entry = version === undefined ? undefined : state.releases[version];
    return entry && { version: entry.manifest.version, installedAt: entry.installedAt, dir: entry.dir };
  };
  const live = view(state.current);
  const previous = view(state.previous);
  const release = hostRelease(state, state.current);
  const processes =
    options.strategy?.status && release
      ? await strategyStatus(options.strategy, {
          ...options,
          app: release.manifest.app,
          root: layout.root,
          release,
        })
      : undefined;
  return {
    root: layout.root,
    ...(state.app ? { app: state.app } : {}),
    ...(live ? { live } : {}),
    ...(previous ? { previous } : {}),
    lock: await inspectLock({ root: layout.root, ...(host ? { host } : {}) }),
    ...(processes ? { processes } : {}),
    history: state.history.slice(-(options.history ?? 5)).reverse(),
    installed: Object.keys(state.releases).length,
  };
}

async function strategyStatus(
  strategy: RuntimeStrategy,
  ctx: Parameters<typeof strategyContext>[0],
): Promise<NonNullable<HostStatus["processes"]>> {
  try {
    const report = (await strategy.status?.(strategyContext(ctx))) ?? { running: false };
    return { strategy: strategy.name, ...report };
  } catch (error) {
    return { strategy: strategy.name, running: false, error: (error as Error).message };
  }
}
