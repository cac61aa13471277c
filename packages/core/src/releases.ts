import { resolve } from "node:path";
import { readChannel } from "./channel";
import { hostLayout } from "./host/layout";
import { type HistoryEntry, readState } from "./host/state";
import { assertAppName } from "./names";
import type { ArtifactStore } from "./store/artifact-store";
import { storeKeys } from "./store/keys";
import { compareVersions } from "./version-order";

/** One release installed on a host. */
export interface HostReleaseInfo {
  version: string;
  installedAt: string;
  dir: string;
  live: boolean;
  previous: boolean;
}

/** A host's releases, newest install first, with its deploy history. */
export interface HostReleases {
  app?: string;
  current?: string;
  previous?: string;
  releases: HostReleaseInfo[];
  history: HistoryEntry[];
}

/** Lists what is installed under a host root (from `.deploykit/state.json`). */
export async function listInstalled(root: string): Promise<HostReleases> {
  const state = await readState(hostLayout(resolve(root)).state);
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
