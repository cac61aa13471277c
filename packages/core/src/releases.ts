import { resolve } from "node:path";
import { readChannel } from "./channel";
import type { HostConnection } from "./connection/connection";
import { DeployKitError } from "./errors";
import { hostLayout } from "./host/layout";
import { type HistoryEntry, hostRelease, liveBefore, readState } from "./host/state";
import { assertAppName } from "./names";
import { readRemoteState } from "./remote/rollback";
import type { ArtifactStore } from "./store/artifact-store";
import { storeKeys } from "./store/keys";
import type { HostRelease } from "./strategy";
import { compareVersions } from "./version-order";

/** One release installed on a host. */
export interface HostReleaseInfo {
  version: string;
  installedAt: string;
  dir: string;
  live: boolean;
  /** True for the release a plain rollback goes to. */
  previous: boolean;
}

/** A host's releases, newest install first, with its deploy history. */
export interface HostReleases {
  app?: string;
  current?: string;
  /** Where a plain rollback goes (see `rollback`). */
  previous?: string;
  releases: HostReleaseInfo[];
  history: HistoryEntry[];
}

/** Where {@link listInstalled} and {@link liveRelease} read: default this machine. */
export interface ReadHostOptions {
  /** `sshHost({ ... })` to read a remote host's root (absolute `root`); default `localHost()`. */
  host?: HostConnection;
}

const hostState = (root: string, options: ReadHostOptions) =>
  options.host && options.host.kind !== "local"
    ? readRemoteState({ host: options.host, layout: hostLayout(root) })
    : readState(hostLayout(resolve(root)).state);

/** Lists what is installed under a host root (from `.deploykit/state.json`), on this machine or `options.host`. */
export async function listInstalled(root: string, options: ReadHostOptions = {}): Promise<HostReleases> {
  const state = await hostState(root, options);
  const releases = Object.entries(state.releases)
    .map(([version, entry]) => ({
      version,
      installedAt: entry.installedAt,
      dir: entry.dir,
      live: version === state.current,
      previous: version === state.previous,
    }))
    .sort((a, b) => b.installedAt.localeCompare(a.installedAt));
  return {
    ...(state.app ? { app: state.app } : {}),
    ...(state.current ? { current: state.current } : {}),
    ...(state.previous ? { previous: state.previous } : {}),
    releases,
    history: state.history,
  };
}

/** The versions of an app published in a store, in dpkg order (oldest first), and its channels. */
export async function listPublished(
  store: ArtifactStore,
  app: string,
): Promise<{ versions: string[]; channels: Record<string, string> }> {
  assertAppName(app);
  const prefix = storeKeys.releases(app);
  const versions = (await store.list(prefix))
    .map((o) => o.key.slice(prefix.length).split("/"))
    .filter(([, file]) => file === "manifest.json")
    .map(([version]) => version as string)
    .sort(compareVersions);
  const channels: Record<string, string> = {};
  const channelPrefix = `apps/${app}/channels/`;
  for (const { key } of await store.list(channelPrefix)) {
    const name = key.slice(channelPrefix.length).replace(/\.json$/, "");
    const pointer = await readChannel(store, app, name);
    if (pointer) channels[name] = pointer.version;
  }
  return { versions, channels };
}

/**
 * The live release under a host root (and the one live before it, see `liveBefore`), in the shape strategies receive,
 * for restarting an app outside a deploy: `restart(strategy, { app, root, ...(await liveRelease(root)) })`.
 *
 * @throws {@link DeployKitError} `E_NOT_FOUND` when nothing is live there.
 */
export async function liveRelease(
  root: string,
  options: ReadHostOptions = {},
): Promise<{ release: HostRelease; previous?: HostRelease }> {
  const layout = hostLayout(resolve(root));
  const state = await hostState(root, options);
  const release = hostRelease(state, state.current);
  if (!release) {
    throw new DeployKitError("E_NOT_FOUND", `No release is live under ${layout.root}.`, {
      hint: "Install or deploy one first (deploykit deploy ...).",
      details: { root: layout.root },
    });
  }
  const previous = liveBefore(state);
  return { release, ...(previous ? { previous } : {}) };
}
