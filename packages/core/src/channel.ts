import { buffer } from "node:stream/consumers";
import { z } from "zod";
import { DeployKitError, isDeployKitError } from "./errors";
import type { ArtifactStore } from "./store/artifact-store";
import { storeKeys } from "./store/keys";

const CHANNEL_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** A channel pointer (`apps/<app>/channels/<channel>.json`): which version a channel serves. */
export interface ChannelPointer {
  version: string;
  /** sha256 of the release's manifest.json bytes, so a swapped manifest is noticed. */
  manifestSha256: string;
  promotedAt: string;
  /** The version the channel pointed at before, if any. */
  previous?: string;
  /**
   * minisign signature (`.minisig` text) over the release's manifest bytes whose trusted comment
   * binds app, channel and version; written when the channel is moved with a signing key.
   */
  signature?: string;
}

const pointerSchema = z.object({
  version: z.string(),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
  promotedAt: z.string(),
  previous: z.string().optional(),
  signature: z.string().optional(),
});

/** @throws {@link DeployKitError} `E_INVALID_INPUT` for a bad channel name. */
export function assertChannelName(channel: string): void {
  if (!CHANNEL_NAME.test(channel)) {
    throw new DeployKitError("E_INVALID_INPUT", `"${channel}" is not a valid channel name.`, {
      hint: "Use lowercase letters, digits, '.', '_' and '-', e.g. production or staging.",
    });
  }
}

const channelCorrupt = (store: ArtifactStore, key: string, app: string, channel: string, why: string) =>
  new DeployKitError(
    "E_CHANNEL_CORRUPT",
    `The channel pointer ${key} in ${store.location} is corrupt: ${why}.`,
    {
      hint: `Move the channel again to rewrite it: \`deploykit publish <artifact> --channel ${channel}\` with the release it should serve.`,
      details: { key, location: store.location, app, channel },
    },
  );

/**
 * Reads a channel pointer; `undefined` when the channel was never written.
 *
 * @throws {@link DeployKitError} `E_CHANNEL_CORRUPT` when the object is not a channel pointer
 *   (not JSON, or a field missing or malformed), `E_INVALID_INPUT` for a bad channel name.
 */
export async function readChannel(
  store: ArtifactStore,
  app: string,
  channel: string,
): Promise<ChannelPointer | undefined> {
  assertChannelName(channel);
  const key = storeKeys.channel(app, channel);
  let text: string;
  try {
    text = (await buffer(await store.get(key))).toString("utf8");
  } catch (error) {
    if (isDeployKitError(error, "E_NOT_FOUND")) return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw channelCorrupt(store, key, app, channel, "it is not JSON");
  }
  const parsed = pointerSchema.safeParse(value);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".");
    const why = field ? `its "${field}" is missing or malformed` : "it is not a JSON object";
    throw channelCorrupt(store, key, app, channel, why);
  }
  return parsed.data;
}

/** Moves a channel to a version (one small object write, so readers see old or new, never half). */
export async function writeChannel(
  store: ArtifactStore,
  app: string,
  channel: string,
  pointer: Omit<ChannelPointer, "previous" | "promotedAt">,
): Promise<ChannelPointer> {
  // A corrupt pointer is what a move repairs: it is overwritten, with no `previous`.
  const before = await readChannel(store, app, channel).catch((error: unknown) => {
    if (isDeployKitError(error, "E_CHANNEL_CORRUPT")) return undefined;
    throw error;
  });
  const next: ChannelPointer = {
    ...pointer,
    promotedAt: new Date().toISOString(),
    ...(before && before.version !== pointer.version
      ? { previous: before.version }
      : before?.previous
        ? { previous: before.previous }
        : {}),
  };
  await store.put(storeKeys.channel(app, channel), `${JSON.stringify(next, null, 2)}\n`);
  return next;
}
