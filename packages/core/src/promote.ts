import { assertChannelName, type ChannelPointer, readChannel } from "./channel";
import { moveChannel } from "./channel-move";
import { DeployKitError, throwIfAborted } from "./errors";
import { type OperationOptions, step } from "./events";
import { assertAppName, assertVersion } from "./names";
import { readManifest } from "./publish";
import type { ArtifactStore } from "./store/artifact-store";
import { storeKeys } from "./store/keys";
import { loadSignKey, type SignKey } from "./trust/key-files";

/** Options for {@link promote}. */
export interface PromoteOptions extends OperationOptions {
  store: ArtifactStore;
  app: string;
  /** The channel to move, e.g. `production`. */
  channel: string;
  /** An already published version of the app. */
  version: string;
  /**
   * Sign the channel move with this minisign secret key (a key from `readSecretKey`, or the path
   * of an unencrypted key file), as `publish({ channel, signKey })` does; needed where installs
   * require signed channels.
   */
  signKey?: SignKey;
}

/** What {@link promote} did. */
export interface PromoteResult {
  app: string;
  channel: string;
  version: string;
  /** The channel's pointer after the move. */
  pointer: ChannelPointer;
  /** The version the channel pointed at before, if any. */
  from?: string;
  /** True when the channel already pointed at `version` (nothing was written). */
  unchanged: boolean;
}

/**
 * Moves a channel to a version that is already published — staging's release to production,
 * or back — without the artifact passing through this machine. The version's manifest must
 * parse and its artifact must be in the store before the channel moves.
 *
 * @example
 * ```ts
 * await promote({ store, app: "web", channel: "production", version: "1.4.2" })
 * ```
 * @throws {@link DeployKitError} `E_INVALID_NAME`, `E_INVALID_VERSION`, `E_INVALID_INPUT` (channel
 * name), `E_NOT_FOUND` (version or its artifact not published), `E_MANIFEST_INVALID`,
 * `E_CHANNEL_CORRUPT` / store errors.
 */
export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const { store, app, channel, version, onEvent, signal } = options;
  assertAppName(app);
  assertChannelName(channel);
  assertVersion(version);
  const signer = await loadSignKey(options.signKey);
  const manifest = await readManifest(store, app, version);
  const artifactKey = storeKeys.artifact(app, version, manifest.artifact.file);
  if ((await store.head(artifactKey)) === undefined) {
    throw new DeployKitError(
      "E_NOT_FOUND",
      `${app} ${version} has a manifest but no artifact in ${store.location}.`,
      {
        hint: "Publish that version again (same bytes) before promoting it.",
        details: { key: artifactKey },
      },
    );
  }
  const before = await readChannel(store, app, channel);
  const base = { app, channel, version, ...(before ? { from: before.version } : {}) };
  if (before?.version === version) return { ...base, pointer: before, unchanged: true };
  throwIfAborted(signal);
  const pointer = await step(onEvent, "channel", `Moving channel ${channel} to ${version}`, () =>
    moveChannel(store, { app, channel, version }, signer),
  );
  return { ...base, pointer, unchanged: false };
}
