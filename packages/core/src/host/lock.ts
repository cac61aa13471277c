import { randomUUID } from "node:crypto";
import { link, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { DeployKitError } from "../errors";
import type { EventSink } from "../events";
import type { ProcessTable } from "../ports/process-table";

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  token: string;
}

/** A held deploy lock; `release()` removes it if it is still ours. */
export interface DeployLock {
  readonly owner: LockOwner;
  release(): Promise<void>;
}

const readOwner = async (path: string): Promise<LockOwner | undefined> => {
  try {
    return JSON.parse(await readFile(path, "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
};

const locked = (path: string, owner: LockOwner | undefined) =>
  new DeployKitError(
    "E_LOCKED",
    owner
      ? `Another deploy holds ${path}: pid ${owner.pid} on ${owner.host} since ${owner.since}.`
      : `Another deploy holds ${path}.`,
    {
      hint: "Wait for it to finish. If that process is gone and runs on another host, remove the lock file by hand.",
      details: { path, ...(owner ?? {}) },
    },
  );

/**
 * Takes the per-root deploy lock (`.deploykit/lock`), created exclusively. A lock whose owner
 * is a dead process on this host is taken over, with a `warning` event; a live owner (or one on
 * another host, whose liveness cannot be checked) is `E_LOCKED`.
 */
export async function acquireLock(
  path: string,
  processes: ProcessTable,
  onEvent?: EventSink,
): Promise<DeployLock> {
  await mkdir(dirname(path), { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    token: randomUUID(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(`${JSON.stringify(owner)}\n`);
      await handle.close();
      return {
        owner,
        async release() {
          if ((await readOwner(path))?.token === owner.token) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readOwner(path);
    if (holder && (holder.host !== owner.host || processes.isAlive(holder.pid))) throw locked(path, holder);
    // Stale: move it aside (only one contender can), then check we moved what we judged stale.
    const aside = `${path}.stale-${owner.token}`;
    try {
      await rename(path, aside);
    } catch {
      continue;
    }
    const moved = await readOwner(aside);
    if (moved?.token !== holder?.token) {
      await link(aside, path).catch(() => undefined);
      await rm(aside, { force: true });
      throw locked(path, moved);
    }
    await rm(aside, { force: true });
    onEvent?.({
      type: "warning",
      step: "lock",
      message: holder
        ? `Took over a stale lock left by pid ${holder.pid} (dead) since ${holder.since}.`
        : "Took over an unreadable lock file.",
    });
  }
  throw locked(path, await readOwner(path));
}
