import { DeployKitError } from "../errors";

/** Store keys of the release layout (DESIGN.md, "Store layout"). */
export const storeKeys = {
  /** Folder holding every release of an app. */
  releases: (app: string) => `apps/${app}/releases/`,
  /** Folder of one release. */
  release: (app: string, version: string) => `apps/${app}/releases/${version}/`,
  /** A release's manifest. */
  manifest: (app: string, version: string) => `apps/${app}/releases/${version}/manifest.json`,
  /** A release's manifest signature (minisign's `.minisig` format, see `@deploykit/core` trust). */
  signature: (app: string, version: string) => `apps/${app}/releases/${version}/manifest.json.minisig`,
  /** A release's artifact file. */
  artifact: (app: string, version: string, file: string) => `apps/${app}/releases/${version}/${file}`,
  /** A channel pointer. */
  channel: (app: string, channel: string) => `apps/${app}/channels/${channel}.json`,
};

/**
 * Refuses keys that could escape a store's root: empty segments, `.` or `..`, a leading `/`,
 * backslashes or control characters.
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT`
 */
export function assertStoreKey(key: string): void {
  const segments = key.split("/");
  const bad =
    key.length === 0 ||
    key.length > 1024 ||
    key.includes("\\") ||
    [...key].some((c) => c.charCodeAt(0) < 0x20) ||
    segments.some((s) => s === "" || s === "." || s === "..");
  if (bad) {
    throw new DeployKitError("E_INVALID_INPUT", `"${key}" is not a valid store key.`, {
      hint: "Keys are relative paths with non-empty segments and no '.' or '..'.",
      details: { key },
    });
  }
}

/** The `E_NOT_FOUND` every store throws for a missing key. */
export function objectNotFound(location: string, key: string, cause?: unknown): DeployKitError {
  return new DeployKitError("E_NOT_FOUND", `${key} does not exist in ${location}.`, {
    cause,
    hint: "Check the app name, version or channel, and that the store location is the one you published to.",
    details: { key, location },
  });
}

/** The `E_OBJECT_EXISTS` every store throws when a create-only write finds the key taken. */
export function objectExists(location: string, key: string, cause?: unknown): DeployKitError {
  return new DeployKitError("E_OBJECT_EXISTS", `${key} already exists in ${location}.`, {
    cause,
    hint: "Published objects are immutable; publish a new version instead.",
    details: { key, location },
  });
}

/** The `E_ABORTED` of a store operation cancelled through its signal (`action`: e.g. "writing <key>"). */
export function storeAborted(location: string, action: string, cause: unknown): DeployKitError {
  return new DeployKitError("E_ABORTED", `Aborted while ${action} in ${location}.`, {
    cause,
    hint: "Nothing was switched; run it again when ready.",
  });
}
