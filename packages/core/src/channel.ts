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

/** Reads a channel pointer; `undefined` when the channel was never written. */
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
  const parsed = pointerSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new DeployKitError("E_MANIFEST_INVALID", `The channel pointer ${key} is invalid.`, {
      hint: "Publish again with --channel to rewrite it.",
      details: { key },
    });
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
  const before = await readChannel(store, app, channel);
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
