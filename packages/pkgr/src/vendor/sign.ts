import { basename } from "node:path";
import { type ArtifactStore, readSecretKey, type SecretKey, type SignKey, signFile } from "@deploykit/core";
import type { PackedTarball } from "./pack";

/** What {@link signVendoredTarball} signs. */
export interface TarballToSign {
  store: ArtifactStore;
  /** The tarball's store key; the signature goes to `<key>.minisig`. */
  key: string;
  tarball: PackedTarball;
  signKey: SecretKey;
  signal?: AbortSignal;
}

/** Loads a vendor `signKey` up front, so a bad key fails before anything is built or uploaded. @throws `E_INVALID_INPUT` */
export async function loadVendorSignKey(signKey: SignKey | undefined): Promise<SecretKey | undefined> {
  return typeof signKey === "string" ? readSecretKey(signKey) : signKey;
}

/**
 * Stores a minisign signature of a vendored tarball next to it (`<key>.minisig`, prehashed,
 * trusted comment `timestamp:<s>\tfile:<name>\thashed\tkey:<key>`), so anyone can check it with
 * `minisign -Vm <tarball> -P <public key>`. The tarball's bytes are the stored ones (uploaded, or
 * found identical), so re-vendoring re-signs with the current key. Buildpacks download with curl
 * and do not check it.
 *
 * @returns the signature's store key.
 */
export async function signVendoredTarball(target: TarballToSign): Promise<string> {
  const signatureKey = `${target.key}.minisig`;
  const trustedComment = `timestamp:${Math.floor(Date.now() / 1000)}\tfile:${basename(target.key)}\thashed\tkey:${target.key}`;
  const signature = await signFile(target.tarball.path, target.signKey, { trustedComment });
  await target.store.put(signatureKey, signature, target.signal ? { signal: target.signal } : {});
  return signatureKey;
}
