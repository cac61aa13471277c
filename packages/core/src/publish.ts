import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { buffer } from "node:stream/consumers";
import { assertChannelName, type ChannelPointer } from "./channel";
import { moveChannel } from "./channel-move";
import { DeployKitError, isDeployKitError, throwIfAborted } from "./errors";
import { type OperationOptions, step } from "./events";
import { sha256OfStream } from "./hashing";
import { parseManifest, parseManifestJson, type ReleaseManifest } from "./manifest";
import type { BuiltPackage } from "./package";
import type { ArtifactStore } from "./store/artifact-store";
import { storeKeys } from "./store/keys";
import { putFileOnce } from "./store/put-once";
import { loadSignKey, type SignKey } from "./trust/key-files";
import { type StoredSignature, storeReleaseSignature } from "./trust/publish-signature";

/** Options for {@link publish}. */
export interface PublishOptions extends OperationOptions {
  store: ArtifactStore;
  /** Move this channel (e.g. `production`) to the release once it is fully written. */
  channel?: string;
  /**
   * Sign the release (and the channel move) with this minisign secret key: a key from
   * `readSecretKey`, or the path of an unencrypted key file. The signature is stored as
   * `manifest.json.minisig`; the key itself is never written, logged or put in an event.
   */
  signKey?: SignKey;
}

/** What {@link publish} did. */
export interface PublishedRelease {
  manifest: ReleaseManifest;
  /** True when the same version with the same bytes was already published (nothing written). */
  unchanged: boolean;
  /** Store keys of the manifest and the artifact. */
  keys: { manifest: string; artifact: string };
  /** The channel pointer as written, when a channel was given. */
  channel?: ChannelPointer;
  /** The store's location. */
  location: string;
  /** With `signKey`: the signature `manifest.json.minisig` holds now (always by that key). */
  signature?: StoredSignature;
}

const versionExists = (manifest: ReleaseManifest, existing: string, why: string) =>
  new DeployKitError(
    "E_VERSION_EXISTS",
    `${manifest.app} ${manifest.version} is already published with different bytes (${why}).`,
    {
      hint: "Published versions are immutable: build with a new --version (or --iteration) and publish that.",
      details: {
        app: manifest.app,
        version: manifest.version,
        existingSha256: existing,
        sha256: manifest.artifact.sha256,
      },
    },
  );

const notDescribed = (path: string, manifest: ReleaseManifest, sha256: string) =>
  new DeployKitError(
    "E_CHECKSUM_MISMATCH",
    `${path} is not the artifact its manifest describes (${manifest.app} ${manifest.version}): its sha256 differs.`,
    {
      hint: "Publish the manifest written next to the artifact (<artifact>.manifest.json), or build it again.",
      details: {
        path,
        expected: manifest.artifact.sha256,
        actual: sha256,
        app: manifest.app,
        version: manifest.version,
      },
    },
  );

/** Deletes an artifact and signature whose manifest was never written; a cleanup failure is left to the next publish. */
async function removeUnpublished(
  store: ArtifactStore,
  artifact: string,
  signature: string,
  manifest: string,
) {
  try {
    if (await store.head(manifest)) return;
    await store.delete(signature);
    await store.delete(artifact);
  } catch {
    // The next publish of these bytes keeps the artifact ("kept only if it is ours").
  }
}

async function readManifestIfAny(store: ArtifactStore, key: string): Promise<ReleaseManifest | undefined> {
  try {
    return parseManifestJson(
      (await buffer(await store.get(key))).toString("utf8"),
      `${store.location} ${key}`,
    );
  } catch (error) {
    if (isDeployKitError(error, "E_NOT_FOUND")) return undefined;
    throw error;
  }
}

/**
 * Uploads a built package: streams the artifact while hashing it, writes the manifest only
 * after the artifact, then moves the channel last. Publishing the same version with the same
 * bytes again writes nothing but a signature and reports `unchanged`; with other bytes it is
 * `E_VERSION_EXISTS`. With `signKey`, a re-publish adds the release's signature by that key, or
 * replaces one by another key (key rotation); `signature` says which key's signature is stored.
 *
 * The file is checked against its manifest (size, sha256) before the store is touched, also for
 * a version already published; a failed or cancelled publish leaves the store as it was.
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT` (missing file, other size, bad channel name),
 *   `E_MANIFEST_INVALID`, `E_CHECKSUM_MISMATCH` (the file is not the one the manifest describes, or
 *   changed during the upload), `E_VERSION_EXISTS`, `E_ABORTED`, the store's errors
 *   (`E_DISK_FULL`, `E_PERMISSION`, `E_STORE_UNAVAILABLE`...).
 * @example
 * ```ts
 * const pkg = await buildPackage({ appDir: ".", name: "web", version: "1.2.0" })
 * await publish(pkg, { store: createFsStore({ dir: "/srv/store" }), channel: "production" })
 * ```
 */
export async function publish(pkg: BuiltPackage, options: PublishOptions): Promise<PublishedRelease> {
  const { store, onEvent, signal } = options;
  const manifest = parseManifest(pkg.manifest, pkg.path);
  if (options.channel !== undefined) assertChannelName(options.channel);
  const size = (await stat(pkg.path).catch(() => undefined))?.size;
  if (size !== manifest.artifact.size) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `${pkg.path} is missing or not the file its manifest describes.`,
      {
        hint: "Publish the file buildPackage produced, unmodified.",
        details: { path: pkg.path, size, expected: manifest.artifact.size },
      },
    );
  }
  // The manifest is the unit of trust: a file it does not describe is refused before anything
  // is read from or written to the store (a mismatched --manifest once "republished" unchanged).
  const sha256 = await step(onEvent, "verify", `Checking ${pkg.path} against its manifest`, () =>
    sha256OfStream(createReadStream(pkg.path, { signal })).catch((error: unknown) => {
      throwIfAborted(signal);
      throw error;
    }),
  );
  if (sha256 !== manifest.artifact.sha256) throw notDescribed(pkg.path, manifest, sha256);
  const signer = await loadSignKey(options.signKey);
  throwIfAborted(signal);
  const { app, version } = manifest;
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const sign = (published: boolean) =>
    signer &&
    step(onEvent, "sign", `Signing ${app} ${version} (key ${signer.keyId})`, () =>
      storeReleaseSignature({ store, key: signer, app, version, manifestText, published, signal }),
    );
  const keys = {
    manifest: storeKeys.manifest(app, version),
    artifact: storeKeys.artifact(app, version, manifest.artifact.file),
  };
  const finish = async (unchanged: boolean, signature?: StoredSignature): Promise<PublishedRelease> => {
    const result: PublishedRelease = {
      manifest,
      unchanged,
      keys,
      location: store.location,
      ...(signature ? { signature } : {}),
    };
    if (options.channel === undefined) return result;
    const channel = options.channel;
    result.channel = await step(onEvent, "channel", `Moving channel ${channel} to ${version}`, () =>
      moveChannel(store, { app, channel, version }, signer),
    );
    return result;
  };

  const existing = await readManifestIfAny(store, keys.manifest);
  if (existing) {
    if (existing.artifact.sha256 !== manifest.artifact.sha256)
      throw versionExists(manifest, existing.artifact.sha256, "manifest differs");
    return finish(true, await sign(true));
  }

  const uploaded = await step(
    onEvent,
    "upload",
    `Uploading ${manifest.artifact.file} to ${store.location}`,
    () =>
      // An interrupted publish may have left the artifact but no manifest: kept only if it is ours.
      putFileOnce(
        store,
        keys.artifact,
        { path: pkg.path, ...manifest.artifact },
        {
          conflict: (stored) => versionExists(manifest, stored, "an earlier upload left other bytes"),
          onEvent,
          signal,
        },
      ),
  );

  let signature: StoredSignature | undefined;
  try {
    throwIfAborted(signal);
    signature = await sign(false);
    await step(onEvent, "manifest", `Writing the manifest of ${app} ${version}`, async () => {
      try {
        await store.put(keys.manifest, manifestText, { ifAbsent: true, signal });
      } catch (error) {
        if (!isDeployKitError(error, "E_OBJECT_EXISTS")) throw error;
        const raced = await readManifestIfAny(store, keys.manifest);
        if (raced?.artifact.sha256 !== manifest.artifact.sha256)
          throw versionExists(manifest, raced?.artifact.sha256 ?? "", "published concurrently");
      }
    });
  } catch (error) {
    // Failed or cancelled before the manifest: what this publish uploaded goes again, so the
    // store is as it was (unless a concurrent publish of the same bytes has written its manifest).
    if (!uploaded.unchanged)
      await removeUnpublished(store, keys.artifact, storeKeys.signature(app, version), keys.manifest);
    throw error;
  }
  return finish(false, signature);
}

/** Reads and validates a published release's manifest. @throws `E_NOT_FOUND`, `E_MANIFEST_INVALID` */
export async function readManifest(
  store: ArtifactStore,
  app: string,
  version: string,
): Promise<ReleaseManifest> {
  return storedManifest(store, app, version, await buffer(await store.get(storeKeys.manifest(app, version))));
}

/** Validates manifest bytes read from a store as the manifest of `app` `version`. @throws `E_MANIFEST_INVALID` */
export function storedManifest(
  store: ArtifactStore,
  app: string,
  version: string,
  bytes: Uint8Array,
): ReleaseManifest {
  const key = storeKeys.manifest(app, version);
  const manifest = parseManifestJson(Buffer.from(bytes).toString("utf8"), `${store.location} ${key}`);
  if (manifest.app !== app || manifest.version !== version) {
    throw new DeployKitError(
      "E_MANIFEST_INVALID",
      `${key} describes ${manifest.app} ${manifest.version}, not ${app} ${version}.`,
      {
        hint: "The store was edited by hand; republish the release.",
      },
    );
  }
  return manifest;
}
