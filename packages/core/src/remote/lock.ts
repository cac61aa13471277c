import type { HostConnection } from "../connection/connection";
import { holderGone, type LockOwner, parseLockRecord } from "../host/lock-owner";
import { locked } from "./session";

/** A remote root's lock as `inspectLock` reports it (no age: that would be another round trip). */
export interface RemoteLockStatus {
  path: string;
  held: boolean;
  owner?: LockOwner;
  stale?: boolean;
  reason?: string;
}

/**
 * Reads the lock at `path` on a remote host (one round trip). Its holder is known to be gone only
 * when it ran on this machine (the same pid, boot id and start time checks as a local lock);
 * a lock taken from another control machine is never called stale from here.
 */
export async function inspectRemoteLock(host: HostConnection, path: string): Promise<RemoteLockStatus> {
  const text = await host.readFile(path);
  if (text === undefined) return { path, held: false };
  const owner = parseLockRecord(text.toString("utf8"));
  const reason = owner ? await holderGone(owner) : undefined;
  return {
    path,
    held: true,
    ...(owner ? { owner } : {}),
    stale: reason !== undefined,
    ...(reason ? { reason } : {}),
  };
}

/**
 * Removes the lock at `path` on a remote host if it is stale, or with `force` whatever holds it.
 * The removal is conditional on the content read (`removeIfHolds`), so a deploy that took the
 * lock in between is never unlocked. @throws `E_LOCKED` for a live holder without `force`.
 */
export async function releaseRemoteLock(
  host: HostConnection,
  path: string,
  force: boolean,
): Promise<{ path: string; released: boolean; owner?: LockOwner }> {
  for (;;) {
    const text = await host.readFile(path);
    if (text === undefined) return { path, released: false };
    const content = text.toString("utf8");
    const owner = parseLockRecord(content);
    if (!force && !(owner && (await holderGone(owner)))) throw locked(host, path, owner);
    if (await host.removeIfHolds(path, content)) return { path, released: true, ...(owner ? { owner } : {}) };
  }
}
