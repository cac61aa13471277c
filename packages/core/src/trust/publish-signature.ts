import { buffer } from "node:stream/consumers";
import { DeployKitError, isDeployKitError } from "../errors";
import type { ArtifactStore } from "../store/artifact-store";
import { storeKeys } from "../store/keys";
import type { SecretKey } from "./minisign-key";
import { signRelease } from "./release-signature";

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

/**
 * Stores a release's `manifest.json.minisig`. A new release is signed before its manifest is
 * written, so a visible manifest is already signed. A re-publish adds a missing signature only
 * when the stored manifest is byte for byte the one this publish would write (it never signs
 * what it did not build), and keeps a signature that is already there.
 *
 * @throws {@link DeployKitError} `E_VERSION_EXISTS` when an unsigned stored manifest differs.
 */
export async function storeReleaseSignature(release: ReleaseToSign): Promise<void> {
  const { store, key, app, version, signal } = release;
  const signatureKey = storeKeys.signature(app, version);
  const signature = () => signRelease(Buffer.from(release.manifestText), key, { app, version });
  if (!release.published) {
    await store.put(signatureKey, signature(), { ...(signal ? { signal } : {}) });
    return;
  }
  if (await store.head(signatureKey)) return;
  const stored = await buffer(await store.get(storeKeys.manifest(app, version)));
  if (!stored.equals(Buffer.from(release.manifestText))) {
    throw new DeployKitError(
      "E_VERSION_EXISTS",
      `${app} ${version} is published unsigned with a manifest other than this build's; it is not signed.`,
      {
        hint: "Sign only what you built: publish this build under a new version with --sign-key.",
        details: { app, version },
      },
    );
  }
  try {
    await store.put(signatureKey, signature(), { ifAbsent: true, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (!isDeployKitError(error, "E_OBJECT_EXISTS")) throw error;
  }
}
