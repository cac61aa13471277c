import type { PortOwner } from "../host/port-owner";
import { releaseOfDir } from "../host/port-owner";
import type { ProcessFacts } from "../ports/process-table";
import type { HostConnection } from "./connection";
import { REMOTE_COMMANDS } from "./remote-commands";

/** Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`, 100 on mainstream Linux). */
const USER_HZ = 100;

/** Fields of a `/proc/<pid>/stat` line after `comm` (which may hold spaces and parens). */
const statFields = (line: string) => line.slice(line.lastIndexOf(")") + 2).split(" ");

/** {@link ProcessFacts} of a process on a remote host, with the pid file's and root's facts. */
export interface RemoteProcessFacts extends ProcessFacts {
  /** The pid file's modification time on the host, ms since the epoch (whole seconds). */
  pidFileMtimeMs?: number;
  /** The app root's real path on the host (`readlink -f`). */
  root?: string;
}

/**
 * What a remote host tells about process `pid`, in one round trip: command line, working
 * directory and start time (field 22 of its `stat` against the host's `/proc/uptime` and the
 * host's own clock, so clock skew between machines does not matter), plus the mtime of
 * `pidFile` and the real path of `root` there. Unknown fields are left out.
 */
export async function remoteProcessFacts(
  host: HostConnection,
  pid: number,
  pidFile = "",
  root = "",
): Promise<RemoteProcessFacts> {
  const text = (
    await host.exec(REMOTE_COMMANDS.processFacts, { args: [String(pid), pidFile, root] })
  ).stdout.toString();
  const lines = text.split("\n");
  const [uptime = "", now = "", mtime = "", realRoot = "", cwd = "", stat = ""] = lines;
  const cmdline = lines.slice(6).join("\n");
  const facts: RemoteProcessFacts = {};
  if (cmdline) facts.cmdline = cmdline.split("\0").filter(Boolean);
  if (cwd) facts.cwd = cwd;
  if (mtime && Number.isFinite(Number(mtime))) facts.pidFileMtimeMs = Number(mtime) * 1000;
  if (realRoot) facts.root = realRoot;
  const ticks = Number(statFields(stat)[22 - 3]);
  const up = Number.parseFloat(uptime);
  const nowS = Number.parseFloat(now);
  if (stat && Number.isFinite(ticks) && Number.isFinite(up) && Number.isFinite(nowS)) {
    facts.startedAtMs = Math.round(nowS * 1000 - up * 1000 + (ticks * 1000) / USER_HZ);
  }
  return facts;
}

/** Pids of the live (not zombie) children of `pid` on a remote host, from its `/proc`, in one round trip. */
export async function remoteChildPids(host: HostConnection, pid: number): Promise<number[]> {
  const text = (await host.exec(REMOTE_COMMANDS.processStats)).stdout.toString();
  const children: number[] = [];
  for (const line of text.split("\n")) {
    const [state, ppid] = statFields(line);
    if (Number(ppid) === pid && state !== "Z") children.push(Number.parseInt(line, 10));
  }
  return children.sort((a, b) => a - b);
}

/**
 * Every process that holds the listening socket on TCP `port` on a remote host, in pid order, at
 * most `limit` (see `portOwners` for this machine): the socket's inode from its
 * `/proc/net/tcp{,6}`, its holders from `ls -l /proc/<pid>/fd`, then their groups and cwds. Two
 * round trips when something listens, one otherwise; empty when nothing listens or the holders
 * are not visible to the login (another user's processes, without sudo).
 */
export async function remotePortOwners(
  host: HostConnection,
  port: number,
  limit = Number.POSITIVE_INFINITY,
): Promise<PortOwner[]> {
  const text = (await host.exec(REMOTE_COMMANDS.socketTable)).stdout.toString();
  const split = text.indexOf("\n--\n");
  const inodes = new Set<string>();
  for (const line of text.slice(0, Math.max(0, split)).split("\n")) {
    const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
    if (state === "0A" && inode && Number.parseInt(local?.split(":")[1] ?? "", 16) === port)
      inodes.add(inode);
  }
  if (inodes.size === 0) return [];
  const pids = new Set<number>();
  let dirPid: number | undefined;
  for (const line of text.slice(split + 4).split("\n")) {
    const dir = /^\/proc\/(\d+)\/fd:$/.exec(line);
    if (dir) dirPid = Number(dir[1]);
    else if (dirPid !== undefined && inodes.has(/-> socket:\[(\d+)\]$/.exec(line)?.[1] ?? ""))
      pids.add(dirPid);
  }
  const holders = [...pids].sort((a, b) => a - b).slice(0, limit);
  if (holders.length === 0) return [];
  const facts = (await host.exec(REMOTE_COMMANDS.holderFacts, { args: holders.map(String) })).stdout
    .toString()
    .split("\n");
  const owners: PortOwner[] = [];
  for (let i = 0; i + 2 < facts.length; i += 3) {
    const [pid = "", cwd = "", stat = ""] = facts.slice(i, i + 3);
    if (stat === "") continue; // gone since the listing
    const release = cwd ? releaseOfDir(cwd) : undefined;
    owners.push({
      pid: Number(pid),
      pgid: Number(statFields(stat)[2]),
      ...(cwd ? { cwd } : {}),
      ...(release ? { release } : {}),
    });
  }
  return owners;
}

/** The first process (lowest pid) holding the listening socket on `port` on a remote host; see {@link remotePortOwners}. */
export async function remotePortOwner(host: HostConnection, port: number): Promise<PortOwner | undefined> {
  return (await remotePortOwners(host, port, 1))[0];
}

/** Size in bytes of a file on a remote host (0 when absent). */
export async function remoteFileSize(host: HostConnection, path: string): Promise<number> {
  return Number((await host.exec(REMOTE_COMMANDS.fileSize, { args: [path] })).stdout.toString()) || 0;
}

/** A remote file's bytes from `offset` on (at most the last `maxBytes` of them); empty when absent. */
export async function remoteReadFrom(
  host: HostConnection,
  path: string,
  offset: number,
  maxBytes: number,
): Promise<Buffer> {
  return (await host.exec(REMOTE_COMMANDS.readFrom, { args: [String(offset + 1), path, String(maxBytes)] }))
    .stdout;
}

/** A remote file's change time as the host prints it (ns precision), or `undefined` when absent. */
export async function remoteChangeTime(host: HostConnection, path: string): Promise<string | undefined> {
  const result = await host.exec(REMOTE_COMMANDS.changeTime, { args: [path] });
  return result.exitCode === 0 ? result.stdout.toString().trim() : undefined;
}
