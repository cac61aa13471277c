import { buffer } from "node:stream/consumers";
import { DeployKitError, isDeployKitError } from "../errors";
import type { ArtifactStore } from "../store/artifact-store";
import { storeKeys } from "../store/keys";
import type { SecretKey } from "./minisign-key";
import { signMessage, verifyMessage } from "./minisign-signature";
import type { Trust } from "./policy";

// What a deploykit signature binds, in its trusted comment (tab-separated `name:value` fields
// after minisign's own `timestamp:` and `file:`): the app and version of a release, plus the
// channel for a channel pointer. A signed manifest copied under another version name, or a
// channel signature shown for another version or channel, names the wrong release and is refused.
type Binding = { app: string; version: string; channel?: string };

function trustedComment(binding: Binding, now: Date): string {
  const fields = [
    `timestamp:${Math.floor(now.getTime() / 1000)}`,
    "file:manifest.json",
    "hashed",
    `app:${binding.app}`,
    ...(binding.channel === undefined ? [] : [`channel:${binding.channel}`]),
    `version:${binding.version}`,
  ];
  return fields.join("\t");
}

function fieldsOf(comment: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const field of comment.split("\t")) {
    const colon = field.indexOf(":");
    if (colon > 0) fields.set(field.slice(0, colon), field.slice(colon + 1));
  }
  return fields;
}

const refused = (message: string, binding: Binding) =>
  new DeployKitError("E_SIGNATURE", message, {
    hint: "Install only what the build machine signed: publish the release again with --sign-key (and --channel for a channel; it adds or replaces the signature), or check trustedKeys.",
    details: { ...binding },
  });

/**
 * Signs a release's manifest bytes; the `.minisig` text to store next to it
 * (`apps/<app>/releases/<version>/manifest.json.minisig`). `minisign -Vm manifest.json -P <key>`
 * verifies it.
 */
export function signRelease(manifestBytes: Uint8Array, key: SecretKey, binding: Binding): string {
  return signMessage(manifestBytes, key, { trustedComment: trustedComment(binding, new Date()) });
}

function verifyBinding(
  manifestBytes: Uint8Array,
  signatureFile: string,
  trust: Trust,
  binding: Binding,
  what: string,
): number | undefined {
  let verified: ReturnType<typeof verifyMessage>;
  try {
    verified = verifyMessage(manifestBytes, signatureFile, trust.keys);
  } catch (error) {
    if (isDeployKitError(error, "E_SIGNATURE")) {
      throw new DeployKitError("E_SIGNATURE", `${what}: ${error.message}`, {
        hint: error.hint,
        details: { ...binding, ...error.details },
      });
    }
    throw error;
  }
  const fields = fieldsOf(verified.trustedComment);
  const names = (b: Partial<Binding>) => `${b.app} ${b.version}${b.channel ? ` (channel ${b.channel})` : ""}`;
  const signed = { app: fields.get("app"), version: fields.get("version"), channel: fields.get("channel") };
  if (
    signed.app !== binding.app ||
    signed.version !== binding.version ||
    signed.channel !== binding.channel
  ) {
    throw refused(`${what} is signed for ${names(signed)}, not ${names(binding)}.`, binding);
  }
  const signedAt = Number(fields.get("timestamp"));
  return Number.isInteger(signedAt) ? signedAt : undefined;
}

/** A release's stored `.minisig` text; `undefined` when it has none. */
export async function readReleaseSignature(
  store: ArtifactStore,
  app: string,
  version: string,
): Promise<string | undefined> {
  try {
    return (await buffer(await store.get(storeKeys.signature(app, version)))).toString("utf8");
  } catch (error) {
    if (isDeployKitError(error, "E_NOT_FOUND")) return undefined;
    throw error;
  }
}

/**
 * Checks a release's manifest bytes against its signature (from {@link readReleaseSignature}).
 *
 * @throws {@link DeployKitError} `E_SIGNATURE` when the signature is missing (and required),
 *   malformed, by an untrusted key, does not match the bytes, or names another app or version.
 */
export function verifyRelease(
  manifestBytes: Uint8Array,
  signatureFile: string | undefined,
  trust: Trust,
  binding: Binding,
): void {
  if (signatureFile === undefined) {
    if (!trust.required) return;
    const key = storeKeys.signature(binding.app, binding.version);
    throw refused(`${binding.app} ${binding.version} is not signed (${key} is missing).`, binding);
  }
  verifyBinding(
    manifestBytes,
    signatureFile,
    trust,
    binding,
    `The signature of ${binding.app} ${binding.version}`,
  );
}

/**
 * A channel pointer's signature: over the target release's manifest bytes, binding app,
 * channel and version, so a rewritten pointer cannot send a host to another release. It is
 * kept inside the pointer, so the pointer and its signature change in one write.
 */
export function signChannel(manifestBytes: Uint8Array, key: SecretKey, binding: Required<Binding>): string {
  return signRelease(manifestBytes, key, binding);
}

/**
 * Checks a channel pointer's signature against the manifest bytes it points at.
 *
 * @returns When the signature was made (its trusted comment's `timestamp:`, Unix time in s), for
 *   the host's replay check (`followChannel`); undefined when the pointer is unsigned and no
 *   signature is required.
 * @throws {@link DeployKitError} `E_SIGNATURE` as {@link verifyRelease}, for the channel.
 */
export function verifyChannel(
  manifestBytes: Uint8Array,
  signature: string | undefined,
  trust: Trust,
  binding: Required<Binding>,
): number | undefined {
  const what = `Channel ${binding.channel} of ${binding.app}`;
  if (signature === undefined) {
    if (!trust.required) return undefined;
    throw refused(`${what} is not signed.`, binding);
  }
  return verifyBinding(manifestBytes, signature, trust, binding, what);
}
