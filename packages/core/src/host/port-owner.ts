import { readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";

/** The process listening on a TCP port, as `/proc` shows it. */
export interface PortOwner {
  pid: number;
  /** Its process group (`/proc/<pid>/stat` field 5): a detached start's group is the started pid. */
  pgid: number;
  /** Its working directory, when this user may read it. */
  cwd?: string;
  /** When `cwd` is inside `<root>/releases/<version>`: that root and release. */
  release?: { root: string; version: string };
}

/** Inodes of the sockets in state LISTEN (`0A`) on `port`, from `/proc/net/tcp` and `/proc/net/tcp6`. */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const lines = (await readFile(table, "utf8").catch(() => "")).split("\n").slice(1);
    for (const line of lines) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      if (state === "0A" && inode && Number.parseInt(local?.split(":")[1] ?? "", 16) === port)
        inodes.add(inode);
    }
  }
  return inodes;
}

/** `<root>/releases/<version>` that a working directory lies in, if any. */
export function releaseOfDir(dir: string): PortOwner["release"] {
  const match = /^(.*)\/releases\/([^/]+)(?:\/|$)/.exec(dir.replace(/ \(deleted\)$/, ""));
  return match?.[1] && match[2] ? { root: match[1], version: match[2] } : undefined;
}

/**
 * Every process that holds the listening socket on `port` on this machine (a forking server's
 * master and its workers all hold it): the socket's inode from `/proc/net/tcp{,6}`, then each
 * process whose `/proc/<pid>/fd/*` links to `socket:[inode]`, in pid order. At most `limit`.
 * Empty when nothing listens, the holders are processes this user may not inspect (another
 * user's, without root), or there is no `/proc`.
 */
export async function portOwners(port: number, limit = Number.POSITIVE_INFINITY): Promise<PortOwner[]> {
  const inodes = await listeningInodes(port);
  const owners: PortOwner[] = [];
  if (!inodes.size) return owners;
  const pids = (await readdir("/proc").catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  for (const name of pids.sort((a, b) => Number(a) - Number(b))) {
    if (owners.length >= limit) break;
    const fds = await readdir(join("/proc", name, "fd")).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(join("/proc", name, "fd", fd)).catch(() => "");
      if (!inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? "")) continue;
      const stat = await readFile(join("/proc", name, "stat"), "utf8").catch(() => "");
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parens, so split after the last ")".
      const pgid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      const cwd = await readlink(join("/proc", name, "cwd")).catch(() => undefined);
      const release = cwd === undefined ? undefined : releaseOfDir(cwd);
      owners.push({
        pid: Number(name),
        pgid,
        ...(cwd === undefined ? {} : { cwd }),
        ...(release ? { release } : {}),
      });
      break;
    }
  }
  return owners;
}

/** The first process (lowest pid) that holds the listening socket on `port`; see {@link portOwners}. */
export async function portOwner(port: number): Promise<PortOwner | undefined> {
  return (await portOwners(port, 1))[0];
}

/** "pid 1234 in /srv/web/releases/1.0.0 (release 1.0.0)" — how errors name a port's owner. */
export function describePortOwner(owner: PortOwner): string {
  const where = owner.cwd ? ` in ${owner.cwd}` : "";
  return `pid ${owner.pid}${where}${owner.release ? ` (release ${owner.release.version})` : ""}`;
}
