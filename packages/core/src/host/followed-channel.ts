import { DeployKitError } from "../errors";
import type { ResolvedRelease } from "../resolve-release";
import type { HostState } from "./state";

const when = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * The replay check of signed channels, the freshness rule of TUF and apt's `Valid-Until` in
 * its simplest form: a host remembers, per channel, the newest pointer signature it installed
 * from, and refuses a pointer signed earlier. Someone who can write to the bucket could
 * otherwise put back an old, genuinely signed pointer and move the fleet to an old release.
 * Moving a channel (publish `--channel`, promote) signs it anew, so going back to an older
 * release through the channel still works. Records the pointer when it is as new or newer.
 *
 * @throws {@link DeployKitError} `E_SIGNATURE` for a pointer signed before the one followed last.
 */
export function followChannel(state: HostState, resolved: ResolvedRelease): void {
  const signed = resolved.signedChannel;
  if (!signed) return;
  const last = state.channels?.[signed.name];
  const { app, version } = resolved.manifest;
  if (last && signed.signedAt < last.signedAt) {
    throw new DeployKitError(
      "E_SIGNATURE",
      `Channel ${signed.name} of ${app} points at ${version} with a signature made ${when(signed.signedAt)}, older than the one this host installed ${last.version} from (${when(last.signedAt)}): a replayed pointer is refused.`,
      {
        hint: `If ${version} is what ${signed.name} should serve, move the channel again (deploykit promote, or publish --channel with --sign-key): that signs it anew. Or install it by --version.`,
        details: { app, channel: signed.name, version, signedAt: signed.signedAt, followed: last },
      },
    );
  }
  state.channels = { ...state.channels, [signed.name]: { version, signedAt: signed.signedAt } };
}
