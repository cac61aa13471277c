import { readlink } from "node:fs/promises";
import { type PortOwner, portOwners, releaseOfDir } from "../host/port-owner";
import type { HostConnection } from "./connection";
import { remotePortOwners, remoteProcessFacts } from "./remote-processes";

/**
 * The processes holding the listening socket on TCP `port` on `host`: {@link portOwners} on this
 * machine, {@link remotePortOwners} over SSH.
 */
export function portOwnersOn(host: HostConnection, port: number): Promise<PortOwner[]> {
  return host.kind === "local" ? portOwners(port) : remotePortOwners(host, port);
}

/** A process by pid, with its working directory and the release that lies in (when readable). */
export type ProcessPlace = Pick<PortOwner, "pid" | "cwd" | "release">;

/**
 * Where processes `pids` on `host` run: each one's working directory (`/proc/<pid>/cwd`, a real
 * path; over SSH one round trip per pid) and the `<root>/releases/<version>` it lies in. A pid
 * gone or not readable by this user has neither.
 */
export async function processPlaces(host: HostConnection, pids: readonly number[]): Promise<ProcessPlace[]> {
  return Promise.all(
    pids.map(async (pid) => {
      const cwd =
        host.kind === "local"
          ? await readlink(`/proc/${pid}/cwd`).catch(() => undefined)
          : (await remoteProcessFacts(host, pid).catch(() => ({ cwd: undefined }))).cwd;
      const release = cwd === undefined ? undefined : releaseOfDir(cwd);
      return { pid, ...(cwd === undefined ? {} : { cwd }), ...(release ? { release } : {}) };
    }),
  );
}
