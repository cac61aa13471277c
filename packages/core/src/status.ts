import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { HostConnection } from "./connection/connection";
import { localHost } from "./connection/local-host";
import { portOwnersOn, processPlaces } from "./connection/process-owners";
import { assertDirectory } from "./directory";
import { DeployKitError } from "./errors";
import { hostLayout } from "./host/layout";
import { type HistoryEntry, hostRelease, readState } from "./host/state";
import { inspectLock, type LockStatus } from "./lock";
import type { Ports } from "./ports";
import { loopbackPort, ownersFromRoot } from "./release-answer";
import { readRemoteState } from "./remote/rollback";
import { strategyContext } from "./restart";
import type { RuntimeStrategy, StrategyStatus } from "./strategy";

const isDirectory = (path: string) =>
  stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );

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
  /**
   * The strategy's report on the processes; `error` when its check failed. `runningFrom`: the
   * releases of this root they run from, when that can be told (see {@link status});
   * `mismatch`: set when that is not `live` — what runs is not what `current` names.
   */
  processes?: StrategyStatus & {
    strategy: string;
    error?: string;
    runningFrom?: string[];
    mismatch?: string;
  };
  /**
   * Set when the live release's directory is gone (removed by hand): what is wrong and what
   * repairs it (installing the live version again unpacks it again).
   */
  missing?: string;
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
 * When the processes are up, it also tells which release they run from, as the deploy gate
 * does (`/proc` of the root's host, over SSH read on the server): the working directories of
 * the strategy's pids, else those of the processes listening on its health URL's port (a
 * loopback URL). When that is not the live release — `current` was switched without a restart,
 * e.g. `rollback` without a strategy — `processes.mismatch` says so.
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
  if (processes?.running && release) {
    const from = await runningReleases(host ?? localHost(), layout.root, processes.pids, options.strategy);
    if (from) {
      processes.runningFrom = from;
      const others = from.filter((version) => version !== release.version);
      if (others.length)
        processes.mismatch = `The processes run ${from.join(" and ")}, but current is ${release.version}: they were not restarted since current was switched (a rollback without a strategy?). \`deploykit restart\` starts ${release.version}.`;
    }
  }
  const gone =
    release?.manifest.format === "tgz" &&
    (remote ? (await host.list(release.dir)) === undefined : !(await isDirectory(release.dir)));
  return {
    root: layout.root,
    ...(state.app ? { app: state.app } : {}),
    ...(gone
      ? {
          missing: `${release.dir} (the live release's directory) is missing: \`deploykit install --version ${release.version}\` unpacks it again.`,
        }
      : {}),
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

/**
 * The releases of `root` the app's processes run from (sorted), or undefined when nothing tells:
 * the strategy's pids' working directories, else the holders of its health URL's port.
 */
async function runningReleases(
  host: HostConnection,
  root: string,
  pids: number[] | undefined,
  strategy: RuntimeStrategy | undefined,
): Promise<string[] | undefined> {
  const local = host.kind === "local";
  let ours = pids?.length ? await ownersFromRoot(await processPlaces(host, pids), root, local) : [];
  const port = strategy?.healthcheckUrl === undefined ? undefined : loopbackPort(strategy.healthcheckUrl);
  if (!ours.length && port !== undefined)
    ours = await ownersFromRoot(await portOwnersOn(host, port).catch(() => []), root, local);
  const versions = new Set(ours.flatMap((owner) => (owner.release ? [owner.release.version] : [])));
  return versions.size ? [...versions].sort() : undefined;
}
