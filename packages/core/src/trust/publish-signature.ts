import { buffer } from "node:stream/consumers";
import { DeployKitError, isDeployKitError } from "../errors";
import type { ArtifactStore } from "../store/artifact-store";
import { storeKeys } from "../store/keys";
import type { SecretKey } from "./minisign-key";
import { readReleaseSignature, signRelease, verifyRelease } from "./release-signature";

/** What {@link storeReleaseSignature} signs. */
export interface ReleaseToSign {
  store: ArtifactStore;
  key: SecretKey;
  app: string;
  version: string;
  /** The manifest bytes this publish writes. */
  manifestText: string;
  /** True when the manifest was already in the store (a re-publish). */
  published: boolean;
  signal?: AbortSignal;
}

/** The signature a publish left in the store. */
export interface StoredSignature {
  /** Id of the key whose signature `manifest.json.minisig` now holds (16 uppercase hex digits). */
  keyId: string;
  /** Set when this publish replaced a signature by another key (or an invalid one): that key's id, if readable. */
  replaced?: { keyId?: string };
}

/** The key id a stored signature names, when it is not by `key` (or `undefined` when it is). */
function otherSigner(manifest: Uint8Array, signature: string, key: SecretKey, app: string, version: string) {
  try {
    verifyRelease(manifest, signature, { keys: [key.publicKey], required: true }, { app, version });
    return undefined;
  } catch (error) {
    if (!isDeployKitError(error, "E_SIGNATURE")) throw error;
    const keyId = error.details.keyId;
    return { ...(typeof keyId === "string" && keyId !== key.keyId ? { keyId } : {}) };
  }
}

/**
 * Stores a release's `manifest.json.minisig` (minisign's format holds one signature). A new
 * release is signed before its manifest is written, so a visible manifest is already signed.
 * A re-publish signs only when the stored manifest is byte for byte the one this publish would
 * write (it never signs what it did not build): a valid signature by the same key is kept; a
 * missing one is added; one by another key (key rotation) or an invalid one is replaced — the
 * manifest stays immutable, its signature is metadata over it.
 *
 * @throws {@link DeployKitError} `E_VERSION_EXISTS` when the stored manifest differs and is not already signed by this key.
 */
export async function storeReleaseSignature(release: ReleaseToSign): Promise<StoredSignature> {
  const { store, key, app, version, signal } = release;
  const signatureKey = storeKeys.signature(app, version);
  const signature = () => signRelease(Buffer.from(release.manifestText), key, { app, version });
  const put = { ...(signal ? { signal } : {}) };
  if (!release.published) {
    await store.put(signatureKey, signature(), put);
    return { keyId: key.keyId };
  }
  const stored = await buffer(await store.get(storeKeys.manifest(app, version)));
  const existing = await readReleaseSignature(store, app, version);
  const replaced = existing === undefined ? undefined : otherSigner(stored, existing, key, app, version);
  if (existing !== undefined && replaced === undefined) return { keyId: key.keyId };
  if (!stored.equals(Buffer.from(release.manifestText))) {
    throw new DeployKitError(
      "E_VERSION_EXISTS",
      `${app} ${version} is published with a manifest other than this build's; it is not signed with key ${key.keyId}.`,
      {
        hint: "Sign only what you built: publish this build under a new version with --sign-key.",
        details: { app, version, keyId: key.keyId },
      },
    );
  }
  await store.put(signatureKey, signature(), put);
  return { keyId: key.keyId, ...(replaced ? { replaced } : {}) };
}
