import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DeployKitError } from "../errors";
import type { EventSink } from "../events";
import type { Clock } from "../ports/clock";
import { waitUntil } from "../wait";
import { holderGone, type LockOwner, ownLockRecord } from "./lock-owner";
import { makeDirectories } from "./make-dirs";

/** A lock file as found on disk. */
export interface LockHolder {
  /** The parsed record; absent when the file is not a lock record (an older tool, a damaged file). */
  owner?: LockOwner;
  /** The record's token, or the file's inode and mtime when it has none. */
  id: string;
  /** Age of the file, in ms. */
  ageMs: number;
}

/** A held deploy lock; `release()` removes it if it is still ours. */
export interface DeployLock {
  readonly owner: LockOwner;
  release(): Promise<void>;
}

/** Options of {@link acquireLock}. */
export interface AcquireLockOptions {
  /** What takes the lock, recorded for whoever finds it held (`install web 2.0.0`). */
  operation: string;
  clock: Clock;
  /** How long to wait for a live holder, in ms; 0 refuses at once. */
  timeoutMs: number;
  onEvent?: EventSink | undefined;
  signal?: AbortSignal | undefined;
}

/** A lock file without a record (written by an older tool) counts as abandoned after this long, in ms. */
const UNREADABLE_GRACE_MS = 10_000;

const isRecord = (value: unknown): value is LockOwner =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as LockOwner).pid === "number" &&
  typeof (value as LockOwner).token === "string" &&
  typeof (value as LockOwner).host === "string";

/** Reads the lock file at `path`, or `undefined` when there is none. */
export async function readLockHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    const ageMs = Math.max(0, Date.now() - info.mtimeMs);
    let owner: unknown;
    try {
      owner = JSON.parse(text);
    } catch {
      owner = undefined;
    }
    if (isRecord(owner)) return { owner, id: owner.token, ageMs };
    return { id: `inode-${info.ino}-${info.mtimeMs}`, ageMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Why `holder` is abandoned (a dead or replaced process, an old unreadable file), or `undefined`. */
export async function abandoned(holder: LockHolder): Promise<string | undefined> {
  if (holder.owner) return holderGone(holder.owner);
  return holder.ageMs > UNREADABLE_GRACE_MS ? "the lock file holds no record" : undefined;
}

/** Writes the complete record under a temp name next to `path`. */
async function writeRecord(path: string, owner: LockOwner): Promise<string> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  await writeFile(tmp, `${JSON.stringify(owner)}\n`, { flag: "wx" });
  return tmp;
}

/**
 * Creates `path` holding `owner`, only if it does not exist: the record is written in full to a
 * temp file first and then hard-linked into place, so whoever sees the lock sees a whole record.
 */
async function place(path: string, owner: LockOwner): Promise<boolean> {
  for (;;) {
    const tmp = await writeRecord(path, owner);
    try {
      await link(tmp, path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return false;
      // ENOENT: the lock holder swept our temp file as debris of a crashed run; write it again.
      if (code !== "ENOENT") throw error;
    } finally {
      await rm(tmp, { force: true });
    }
  }
}

/**
 * Replaces the abandoned lock `stale` at `path` with `owner`, if nobody else does first. The
 * right to replace one abandoned lock is itself a lock (`<path>.stale-<id>`, created by link), so
 * of all the processes that judged it abandoned exactly one replaces it; that one checks that
 * `path` still holds `stale` before renaming its own record over it. A claimant that died is
 * replaced the same way, one level down.
 */
async function takeOver(path: string, stale: LockHolder, owner: LockOwner): Promise<boolean> {
  const claim = `${path}.stale-${stale.id}`;
  if (!(await place(claim, owner))) {
    const claimant = await readLockHolder(claim);
    if (!claimant || !(await abandoned(claimant))) return false;
    if (!(await takeOver(claim, claimant, owner))) return false;
  }
  try {
    if ((await readLockHolder(path))?.id !== stale.id) return false;
    await rename(await writeRecord(path, owner), path);
    return true;
  } finally {
    await rm(claim, { force: true });
  }
}

const lockedError = (path: string, holder: LockHolder | undefined, waitedMs: number) => {
  const owner = holder?.owner;
  const who = owner
    ? `pid ${owner.pid} on ${owner.host}${owner.operation ? ` (${owner.operation})` : ""} since ${owner.since}`
    : "a process that left no record";
  return new DeployKitError("E_LOCKED", `Another deploy holds ${path}: ${who}.`, {
    hint:
      waitedMs > 0
        ? `Waited ${waitedMs} ms. Let it finish, or check it with \`deploykit lock\`.`
        : "Let it finish (or pass lockTimeoutMs / --lock-timeout-ms to wait); `deploykit lock` shows the holder and can release an abandoned lock.",
    details: { path, ...(owner ?? {}) },
  });
};

/**
 * Takes a per-root deploy lock, mutually exclusive by construction (a fully written record is
 * hard-linked into place). A lock whose holder is gone (see {@link abandoned}) is taken over with
 * a `warning` event; a live holder (or one on another host) is waited for up to `timeoutMs`,
 * then `E_LOCKED`.
 */
export async function acquireLock(path: string, options: AcquireLockOptions): Promise<DeployLock> {
  const { clock, onEvent, signal } = options;
  await makeDirectories(dirname(path));
  const owner = await ownLockRecord(new Date(clock.now()).toISOString(), options.operation);
  const started = clock.now();
  let holder: LockHolder | undefined;
  const take = async (): Promise<boolean> => {
    if (await place(path, owner)) return true;
    holder = await readLockHolder(path);
    if (!holder) return place(path, owner);
    const why = await abandoned(holder);
    if (!why || !(await takeOver(path, holder, owner))) return false;
    onEvent?.({
      type: "warning",
      step: "lock",
      message: `Took over an abandoned lock${holder.owner ? ` of pid ${holder.owner.pid} since ${holder.owner.since}` : ""}: ${why}.`,
    });
    return true;
  };
  // Each waiter polls at its own pace (10-50 ms), so they do not retry in lockstep.
  const intervalMs = 10 + Math.floor(Math.random() * 40);
  if (!(await waitUntil(clock, take, { timeoutMs: options.timeoutMs, intervalMs, signal }))) {
    throw lockedError(path, holder, clock.now() - started);
  }
  return {
    owner,
    async release() {
      if ((await readLockHolder(path))?.id === owner.token) await rm(path, { force: true });
    },
  };
}

/**
 * Removes the lock at `path`: an abandoned one always, a live one only with `force`.
 * @returns the holder that was removed, or `undefined` when there was no lock.
 * @throws `E_LOCKED` for a live holder without `force`.
 */
export async function breakLock(path: string, force: boolean): Promise<LockHolder | undefined> {
  for (;;) {
    const holder = await readLockHolder(path);
    if (!holder) return undefined;
    if (!force && !(await abandoned(holder))) throw lockedError(path, holder, 0);
    const me = await ownLockRecord(new Date().toISOString(), "deploykit lock --release");
    if (await takeOver(path, holder, me)) {
      await rm(path, { force: true });
      return holder;
    }
  }
}
