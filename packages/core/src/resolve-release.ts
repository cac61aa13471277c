import { createHash } from "node:crypto";
import { buffer } from "node:stream/consumers";
import { assertChannelName, readChannel } from "./channel";
import { DeployKitError } from "./errors";
import type { ReleaseManifest } from "./manifest";
import { assertAppName, assertVersion } from "./names";
import { readManifest } from "./publish";
import type { ArtifactStore } from "./store/artifact-store";
import { storeKeys } from "./store/keys";

/** Which release to fetch: an exact version, or whatever a channel points at. */
export interface ReleaseSelector {
  app: string;
  version?: string;
  channel?: string;
}

/** Checks a {@link ReleaseSelector} without touching anything. @throws `E_INVALID_*` */
export function assertSelector(selector: ReleaseSelector): void {
  assertAppName(selector.app);
  if ((selector.version === undefined) === (selector.channel === undefined)) {
    throw new DeployKitError("E_INVALID_INPUT", "Give exactly one of version or channel.", {
      hint: "e.g. --version 1.2.0, or --channel production.",
    });
  }
  if (selector.version !== undefined) assertVersion(selector.version);
  if (selector.channel !== undefined) assertChannelName(selector.channel);
}

/**
 * Resolves a selector to a validated manifest. A channel's pointer must match the manifest's
 * bytes (`E_CHECKSUM_MISMATCH` otherwise), so a swapped manifest is never trusted.
 */
export async function resolveRelease(
  store: ArtifactStore,
  selector: ReleaseSelector,
): Promise<ReleaseManifest> {
  const { app } = selector;
  if (selector.version !== undefined) return readManifest(store, app, selector.version);
  const channel = selector.channel as string;
  const pointer = await readChannel(store, app, channel);
  if (!pointer) {
    throw new DeployKitError(
      "E_NOT_FOUND",
      `Channel ${channel} of ${app} does not exist in ${store.location}.`,
      {
        hint: `Publish a release with --channel ${channel} first.`,
      },
    );
  }
  const bytes = await buffer(await store.get(storeKeys.manifest(app, pointer.version)));
  if (createHash("sha256").update(bytes).digest("hex") !== pointer.manifestSha256) {
    throw new DeployKitError(
      "E_CHECKSUM_MISMATCH",
      `The manifest of ${app} ${pointer.version} changed since channel ${channel} was moved to it.`,
      {
        hint: "Someone rewrote a published manifest; publish again with --channel to re-point the channel.",
      },
    );
  }
  return readManifest(store, app, pointer.version);
}
