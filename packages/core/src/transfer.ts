import type { HostConnection } from "./connection/connection";
import { DeployKitError } from "./errors";
import type { ArtifactStore } from "./store/artifact-store";

/**
 * How a release's artifact reaches a remote host:
 * - `"stream"` (default): read from the store on this machine and streamed through the SSH
 *   connection into the host's cache (the host needs nothing but sh and coreutils);
 * - `"presigned-url"`: the host downloads it itself (curl, else wget) from a presigned store URL
 *   valid 15 minutes, so a rollout to many hosts does not pull every copy through this machine;
 *   this machine still reads it once to check it. S3 stores only; the host must reach the
 *   store's endpoint.
 * Both verify the sha256 on the host before the artifact is kept.
 */
export type ArtifactTransfer = "stream" | "presigned-url";

const TRANSFERS: readonly ArtifactTransfer[] = ["stream", "presigned-url"];

/** Checks a transfer choice against the host and store before anything is written. @throws `E_INVALID_INPUT` */
export function assertTransfer(
  transfer: ArtifactTransfer | undefined,
  host: HostConnection,
  store: ArtifactStore,
): void {
  if (transfer === undefined || transfer === "stream") return;
  const refuse = (message: string, hint: string) =>
    new DeployKitError("E_INVALID_INPUT", message, { hint, details: { transfer } });
  if (!TRANSFERS.includes(transfer))
    throw refuse(`"${transfer}" is not an artifact transfer.`, `Use one of: ${TRANSFERS.join(", ")}.`);
  if (host.kind === "local")
    throw refuse(
      'transfer "presigned-url" is for remote hosts: a local install reads the store itself.',
      "Leave transfer out, or give an SSH host.",
    );
  if (!store.presignGet)
    throw refuse(
      `The store ${store.location} cannot give presigned URLs (only S3 stores can).`,
      'Use an s3:// store, or transfer "stream" (the default).',
    );
}
