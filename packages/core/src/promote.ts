import { assertChannelName, type ChannelPointer, readChannel } from "./channel";
import { moveChannel, pointsAt } from "./channel-move";
import { DeployKitError, throwIfAborted } from "./errors";
import { type OperationOptions, step } from "./events";
import { assertAppName, assertVersion } from "./names";
import { readManifest } from "./publish";
import type { ArtifactStore } from "./store/artifact-store";
import { storeKeys } from "./store/keys";
import { loadSignKey, type SignKey } from "./trust/key-files";
import { readReleaseSignature } from "./trust/release-signature";

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
  /**
   * True when the channel already pointed at `version` (with the manifest it has now and, with
   * `signKey`, a valid signature by that key): nothing was written.
   */
  unchanged: boolean;
  /** With `signKey`: the id of the key whose signature the pointer holds. */
  signedBy?: string;
}

/**
 * Moves a channel to a version that is already published — staging's release to production,
 * or back — without the artifact passing through this machine. The version's manifest must
 * parse and its artifact must be in the store before the channel moves. A channel already at
 * `version` is rewritten when its pointer is stale (another manifest sha256) or, with `signKey`,
 * not signed by that key (unsigned, or signed by another key): promoting with a key signs it.
 * Moving a channel without a key while the release or the old pointer is signed emits a
 * `warning` event (installs that require signatures would refuse the unsigned pointer).
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
  const signedBy = signer ? { signedBy: signer.keyId } : {};
  if (before && (await pointsAt(store, before, { app, channel, version }, signer)))
    return { ...base, pointer: before, unchanged: true, ...signedBy };
  throwIfAborted(signal);
  const pointer = await step(onEvent, "channel", `Moving channel ${channel} to ${version}`, () =>
    moveChannel(store, { app, channel, version }, signer),
  );
  if (!signer && (before?.signature !== undefined || (await readReleaseSignature(store, app, version)))) {
    onEvent?.({
      type: "warning",
      step: "channel",
      message: `Channel ${channel} of ${app} is now unsigned although ${before?.signature ? "it was signed" : `${app} ${version} is signed`}: installs that require signatures (trustedKeys) refuse it. Promote again with a signing key to sign it.`,
    });
  }
  return { ...base, pointer, unchanged: false, ...signedBy };
}
