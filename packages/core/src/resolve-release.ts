import { buffer } from "node:stream/consumers";
import { assertChannelName, readChannel } from "./channel";
import { DeployKitError } from "./errors";
import { sha256Hex } from "./hashing";
import type { ReleaseManifest } from "./manifest";
import { assertAppName, assertVersion } from "./names";
import { storedManifest } from "./publish";
import type { ArtifactStore } from "./store/artifact-store";
import { storeKeys } from "./store/keys";
import { resolveTrust, type TrustPolicy } from "./trust/policy";
import { readReleaseSignature, verifyChannel, verifyRelease } from "./trust/release-signature";

/** Which release to fetch: an exact version, or whatever a channel points at. */
export interface ReleaseSelector {
  app: string;
  version?: string;
  channel?: string;
}

/** Checks a {@link ReleaseSelector} (and its trust policy) without touching anything. @throws `E_INVALID_*` */
export function assertSelector(selector: ReleaseSelector & TrustPolicy): void {
  resolveTrust(selector);
  assertAppName(selector.app);
  if ((selector.version === undefined) === (selector.channel === undefined)) {
    throw new DeployKitError("E_INVALID_INPUT", "Give exactly one of version or channel.", {
      hint: "e.g. --version 1.2.0, or --channel production.",
    });
  }
  if (selector.version !== undefined) assertVersion(selector.version);
  if (selector.channel !== undefined) assertChannelName(selector.channel);
}

/** What {@link resolveSelected} found. */
export interface ResolvedRelease {
  manifest: ReleaseManifest;
  /** For a channel with a verified signature: its name and when it was signed (Unix time, s). */
  signedChannel?: { name: string; signedAt: number };
}

/**
 * Resolves a selector to a validated manifest, reading the manifest's bytes once. A channel's
 * pointer must match the manifest's bytes (`E_CHECKSUM_MISMATCH` otherwise), so a swapped
 * manifest is never trusted. With a {@link TrustPolicy}, the release's signature (and the
 * channel's) is checked on those same bytes before anything is fetched or unpacked.
 *
 * @throws `E_NOT_FOUND`, `E_CHECKSUM_MISMATCH`, `E_MANIFEST_INVALID`, `E_SIGNATURE`, `E_CHANNEL_CORRUPT`
 */
export async function resolveRelease(
  store: ArtifactStore,
  selector: ReleaseSelector & TrustPolicy,
): Promise<ReleaseManifest> {
  return (await resolveSelected(store, selector)).manifest;
}

/**
 * {@link resolveRelease}, also returning when a signed channel's pointer was signed, which an
 * install compares with the newest one the host followed (a replayed older pointer is refused).
 */
export async function resolveSelected(
  store: ArtifactStore,
  selector: ReleaseSelector & TrustPolicy,
): Promise<ResolvedRelease> {
  const { app } = selector;
  const trust = resolveTrust(selector);
  const channel = selector.channel;
  const pointer = channel === undefined ? undefined : await readChannel(store, app, channel);
  if (channel !== undefined && !pointer) {
    throw new DeployKitError(
      "E_NOT_FOUND",
      `Channel ${channel} of ${app} does not exist in ${store.location}.`,
      {
        hint: `Publish a release with --channel ${channel} first.`,
      },
    );
  }
  const version = pointer?.version ?? (selector.version as string);
  // The signature is read alongside the manifest: verification adds no store round trip.
  const [bytes, signature] = await Promise.all([
    store.get(storeKeys.manifest(app, version)).then(buffer),
    trust && readReleaseSignature(store, app, version),
  ]);
  if (pointer && sha256Hex(bytes) !== pointer.manifestSha256) {
    throw new DeployKitError(
      "E_CHECKSUM_MISMATCH",
      `The manifest of ${app} ${version} changed since channel ${channel} was moved to it.`,
      {
        hint: "Someone rewrote a published manifest; publish again with --channel to re-point the channel.",
      },
    );
  }
  let signedAt: number | undefined;
  if (trust) {
    if (pointer)
      signedAt = verifyChannel(bytes, pointer.signature, trust, { app, version, channel: channel as string });
    verifyRelease(bytes, signature, trust, { app, version });
  }
  const manifest = await storedManifest(store, app, version, bytes);
  return {
    manifest,
    ...(channel !== undefined && signedAt !== undefined
      ? { signedChannel: { name: channel, signedAt } }
      : {}),
  };
}
