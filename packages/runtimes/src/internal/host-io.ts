import { readlink, stat } from "node:fs/promises";
import {
  type HostConnection,
  localHost,
  remoteChangeTime,
  remoteChildPids,
  remoteProcessFacts,
  type StrategyContext,
} from "@deploykit/core";
import { childPids as localChildPids } from "./proc";

const LOCAL = localHost();

/**
 * The host a strategy acts on: `ctx.host`, or this machine for a context built by hand without
 * one. Every file, pid and `/proc` fact of a strategy goes through it, so a strategy works the
 * same on a remote host; on this machine the helpers below keep their direct `fs`/`/proc` paths.
 */
export function hostOf(ctx: Partial<Pick<StrategyContext, "host">>): HostConnection {
  return ctx.host ?? LOCAL;
}

/** Pids of the live children of `pid` on the host (unicorn workers); `undefined` without `/proc`. */
export async function childPids(host: HostConnection, pid: number): Promise<number[] | undefined> {
  return host.kind === "local" ? localChildPids(pid) : remoteChildPids(host, pid);
}

/** The working directory of `pid` on the host, when it can be read. */
export async function processCwd(host: HostConnection, pid: number): Promise<string | undefined> {
  if (host.kind === "local") return readlink(`/proc/${pid}/cwd`).catch(() => undefined);
  return (await remoteProcessFacts(host, pid)).cwd;
}

/**
 * A file's change time on the host (local: ns as a bigint; remote: as `stat` prints it), to see
 * that it was renamed or replaced between two looks; `undefined` when absent.
 */
export async function changeTime(host: HostConnection, path: string): Promise<bigint | string | undefined> {
  if (host.kind !== "local") return remoteChangeTime(host, path);
  return stat(path, { bigint: true }).then(
    (s) => s.ctimeNs,
    () => undefined,
  );
}

/** The node binary the host runs the launcher with: this process's own locally, `node` on the login PATH remotely. */
export function nodeBinary(host: HostConnection): string {
  return host.kind === "local" ? globalThis.process.execPath : "node";
}
