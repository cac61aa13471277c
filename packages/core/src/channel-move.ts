import { buffer } from "node:stream/consumers";
import { type ChannelPointer, writeChannel } from "./channel";
import { isDeployKitError } from "./errors";
import { sha256Hex } from "./hashing";
import type { ArtifactStore } from "./store/artifact-store";
import { storeKeys } from "./store/keys";
import type { SecretKey } from "./trust/minisign-key";
import { signChannel, verifyChannel } from "./trust/release-signature";

/**
 * Points a channel at the manifest of a published version (one small object write, readers see
 * the old or the new pointer), signed with `signer` when given (the signature binds app,
 * version and channel). Used by `promote()` and by `publish({ channel })`.
 */
export async function moveChannel(
  store: ArtifactStore,
  target: { app: string; channel: string; version: string },
  signer?: SecretKey,
): Promise<ChannelPointer> {
  const { app, channel, version } = target;
  const stored = await buffer(await store.get(storeKeys.manifest(app, version)));
  const manifestSha256 = sha256Hex(stored);
  const signature = signer && signChannel(stored, signer, { app, version, channel });
  return writeChannel(store, app, channel, { version, manifestSha256, ...(signature ? { signature } : {}) });
}

/**
 * True when `pointer` already says what {@link moveChannel} would write: `target.version`, the
 * sha256 of that version's manifest as stored now and, with `signer`, a channel signature by
 * `signer`'s key that verifies for app, channel and version.
 */
export async function pointsAt(
  store: ArtifactStore,
  pointer: ChannelPointer,
  target: { app: string; channel: string; version: string },
  signer?: SecretKey,
): Promise<boolean> {
  if (pointer.version !== target.version) return false;
  const stored = await buffer(await store.get(storeKeys.manifest(target.app, target.version)));
  if (pointer.manifestSha256 !== sha256Hex(stored)) return false;
  if (!signer) return true;
  if (pointer.signature === undefined) return false;
  try {
    verifyChannel(stored, pointer.signature, { keys: [signer.publicKey], required: true }, target);
    return true;
  } catch (error) {
    if (isDeployKitError(error, "E_SIGNATURE")) return false;
    throw error;
  }
}
