import { DeployKitError } from "../errors";
import type { ReleaseManifest } from "../manifest";
import type { HostState } from "./state";

const short = (sha256: string) => sha256.slice(0, 12);

/**
 * Refuses, before anything is written, a release that does not belong under this root:
 * - another app than the one the root holds (`state.app`, else its installed releases' app):
 *   `E_HOST_STATE` — one root holds one app, or `releases/`, `current` and rollbacks would mix them;
 * - a version the root already has (live or not) whose artifact has other bytes (sha256) than
 *   the store's: `E_CHECKSUM_MISMATCH` — a version is immutable (DESIGN.md), so "already live"
 *   cannot be said of other bytes, nor may they be unpacked over the installed ones.
 *
 * `where` names the root in messages (`host:root` for a remote one).
 */
export function assertFitsRoot(state: HostState, manifest: ReleaseManifest, where: string): void {
  const held = state.app ?? Object.values(state.releases)[0]?.manifest.app;
  if (held !== undefined && held !== manifest.app) {
    throw new DeployKitError(
      "E_HOST_STATE",
      `${where} holds app ${held}, not ${manifest.app}: refusing to install ${manifest.app} ${manifest.version} into it.`,
      {
        hint: `Give ${manifest.app} a root of its own (--root), or check --app: each root holds one app.`,
        details: { root: where, app: held, requested: manifest.app, version: manifest.version },
      },
    );
  }
  const installed = state.releases[manifest.version];
  const had = installed?.manifest.artifact.sha256;
  const wants = manifest.artifact.sha256;
  if (had !== undefined && had !== wants) {
    throw new DeployKitError(
      "E_CHECKSUM_MISMATCH",
      `${manifest.app} ${manifest.version} under ${where} was installed from an artifact with sha256 ${short(had)}…, but the store's ${manifest.version} has sha256 ${short(wants)}…: a version's bytes never change.`,
      {
        hint: `Install from the store ${manifest.version} came from, or publish the new bytes under a new version.`,
        details: { root: where, version: manifest.version, installed: had, store: wants },
      },
    );
  }
}
