import { resolve } from "node:path";
import type { HostConnection } from "./connection/connection";
import { hostLayout } from "./host/layout";
import { abandoned, breakLock, readLockHolder } from "./host/lock";
import type { LockOwner } from "./host/lock-owner";
import { inspectRemoteLock, releaseRemoteLock } from "./remote/lock";

export type { LockOwner } from "./host/lock-owner";

/** Who holds a root's deploy lock, as {@link inspectLock} reports it. */
export interface LockStatus {
  /** `<root>/.deploykit/lock`. */
  path: string;
  /** True when a lock file is there. */
  held: boolean;
  /** Its record (absent for a file an older tool left without one). */
  owner?: LockOwner;
  /** True when its holder is known to be gone (a dead pid, a reused pid, a reboot since). */
  stale?: boolean;
  /** Why it is stale. */
  reason?: string;
  /** Age of the lock file, in ms. */
  ageMs?: number;
}

/** Which root's lock {@link inspectLock} and {@link releaseLock} look at. */
export interface LockOptions {
  /** The host root (absolute on a remote host). */
  root: string;
  /**
   * The host the root is on (default this machine). On a remote host, a holder counts as gone
   * only when it ran on this machine; the lock's age is not reported.
   */
  host?: HostConnection;
}

/**
 * Reports who holds a host root's deploy lock and whether that holder is gone (a lock on this
 * host whose pid is dead or now belongs to another process, or that predates a reboot). Reads
 * only.
 *
 * @example
 * ```ts
 * const lock = await inspectLock({ root: "/srv/web" })
 * if (lock.held) console.log(lock.owner?.pid, lock.stale ? lock.reason : "running")
 * ```
 */
export async function inspectLock(options: LockOptions): Promise<LockStatus> {
  const path = hostLayout(resolve(options.root)).lock;
  if (options.host && options.host.kind !== "local") return inspectRemoteLock(options.host, path);
  const holder = await readLockHolder(path);
  if (!holder) return { path, held: false };
  const reason = await abandoned(holder);
  return {
    path,
    held: true,
    ...(holder.owner ? { owner: holder.owner } : {}),
    stale: reason !== undefined,
    ...(reason ? { reason } : {}),
    ageMs: Math.round(holder.ageMs),
  };
}

/**
 * Removes a host root's deploy lock on purpose: one whose holder is gone always; one whose
 * holder may still run (or runs on another host) only with `force: true` — use it only when you
 * know that deploy is dead. Safe against a concurrent deploy taking the lock meanwhile.
 *
 * @returns what was there: `released: false` when there was no lock.
 * @throws {@link DeployKitError} `E_LOCKED` for a live holder without `force`.
 */
export async function releaseLock(
  options: LockOptions & { force?: boolean },
): Promise<{ path: string; released: boolean; owner?: LockOwner }> {
  const path = hostLayout(resolve(options.root)).lock;
  if (options.host && options.host.kind !== "local")
    return releaseRemoteLock(options.host, path, options.force === true);
  const holder = await breakLock(path, options.force === true);
  return { path, released: holder !== undefined, ...(holder?.owner ? { owner: holder.owner } : {}) };
}
