import { realpath, stat } from "node:fs/promises";
import { sep } from "node:path";
import {
  type HostConnection,
  type ProcessFacts,
  type ProcessTable,
  remoteProcessFacts,
  type StrategyContext,
} from "@deploykit/core";
import { hostOf } from "./host-io";
import { localProcessFacts } from "./proc";

/**
 * The pid to signal for a process deploykit started detached: its process group (`-pid`) when
 * that group is alive, so `sh -c` wrappers and their children stop together; else the pid itself.
 */
export async function signalTarget(processes: ProcessTable, pid: number): Promise<number> {
  return (await processes.isAlive(-pid)) ? -pid : pid;
}

/**
 * Reads a pid file and returns the pid only when that process is alive. It is not checked to
 * be the expected process: use {@link checkedPid} before signalling it.
 */
export async function livePid(processes: ProcessTable, pidFile: string): Promise<number | undefined> {
  const pid = await processes.readPidFile(pidFile);
  return pid !== undefined && (await processes.isAlive(pid)) ? pid : undefined;
}

/** What a strategy expects behind a pid file. */
export interface PidExpectation {
  /** For messages: `a unicorn master`, `sidekiq`, `web (node server.js)`. */
  what: string;
  /** Words one of which its command line holds (`unicorn`, `sidekiq`, the command's program). */
  words: readonly string[];
}

/** {@link ProcessFacts} plus the facts about the pid file and the app that the check compares them with. */
export interface PidFacts extends ProcessFacts {
  /** The pid file's modification time, ms since the epoch. */
  pidFileMtimeMs?: number;
  /** The app's host root as a real path: a process working inside it belongs to the app. */
  root?: string;
}

/**
 * How much later than the pid file's mtime a process may seem to have started: start times are
 * counted in clock ticks against the uptime, both rounded to 10 ms, and clocks get adjusted.
 */
export const START_SLACK_MS = 2_000;

/** Splits a command line into the words {@link staleReason} compares (no options, numbers or wrappers). */
export function commandWords(text: string): string[] {
  const wrappers = new Set([
    "sh",
    "bash",
    "dash",
    "exec",
    "env",
    "nohup",
    "nice",
    "setsid",
    "sudo",
    "bin",
    "usr",
  ]);
  return text
    .split(/[^A-Za-z0-9_-]+/)
    .filter(
      (word) => word.length >= 2 && !word.startsWith("-") && !/^\d+$/.test(word) && !wrappers.has(word),
    );
}

const inside = (dir: string, root: string) =>
  dir === root || dir.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Why the live process `pid`, read from a pid file, is not the one the strategy expects, or
 * `undefined` when it may be. Pure. Stale when it started after the pid file was written (the pid
 * was reused, e.g. after a reboot), or when its command line holds none of the expected words and
 * it does not work inside the app's root. Unknown facts count in the process's favour.
 */
export function staleReason(pid: number, facts: PidFacts, expected: PidExpectation): string | undefined {
  const { startedAtMs, pidFileMtimeMs } = facts;
  if (
    startedAtMs !== undefined &&
    pidFileMtimeMs !== undefined &&
    startedAtMs > pidFileMtimeMs + START_SLACK_MS
  ) {
    const at = (ms: number) => new Date(ms).toISOString();
    return `pid ${pid} started at ${at(startedAtMs)}, after the pid file was written (${at(pidFileMtimeMs)}): the pid was reused`;
  }
  if (facts.cwd !== undefined && facts.root !== undefined && inside(facts.cwd, facts.root)) return undefined;
  if (facts.cmdline === undefined || expected.words.length === 0) return undefined;
  const seen = new Set(commandWords(facts.cmdline.join(" ")));
  if (expected.words.some((word) => seen.has(word))) return undefined;
  const command = facts.cmdline.join(" ").slice(0, 120);
  return `pid ${pid} is ${command ? `\`${command}\`` : "a kernel thread"}, not ${expected.what}`;
}

/**
 * Gathers {@link PidFacts} on the host: on a remote one all in one round trip from its `/proc`,
 * its clock and its filesystem; locally the process through `processes.inspect` when the
 * table has it, else the local `/proc`, the pid file's mtime and the root's real path from the
 * local filesystem.
 */
export async function gatherPidFacts(
  host: HostConnection,
  processes: ProcessTable,
  pid: number,
  pidFile: string,
  root: string,
): Promise<PidFacts> {
  if (host.kind !== "local") return remoteProcessFacts(host, pid, pidFile, root);
  const [facts, info, realRoot] = await Promise.all([
    processes.inspect ? processes.inspect(pid) : localProcessFacts(pid),
    stat(pidFile).catch(() => undefined),
    realpath(root).catch(() => undefined),
  ]);
  return {
    ...facts,
    ...(info ? { pidFileMtimeMs: info.mtimeMs } : {}),
    ...(realRoot ? { root: realRoot } : {}),
  };
}

/** A pid file read for signalling: the live pid it holds, or why it is stale. */
export type CheckedPid = { pid: number; stale?: undefined } | { pid?: undefined; stale?: string };

/**
 * Reads a pid file and checks that its live process is the one expected ({@link staleReason})
 * before anything signals it. A stale pid file is reported with a `warning` event (the pid is
 * not signalled; the caller goes on as if nothing ran) and `stale` says why.
 */
export async function checkedPid(
  ctx: Pick<StrategyContext, "processes" | "onEvent" | "root"> & Partial<Pick<StrategyContext, "host">>,
  strategy: string,
  pidFile: string,
  expected: PidExpectation,
): Promise<CheckedPid> {
  const pid = await livePid(ctx.processes, pidFile);
  if (pid === undefined) return {};
  const facts = await gatherPidFacts(hostOf(ctx), ctx.processes, pid, pidFile, ctx.root);
  const reason = staleReason(pid, facts, expected);
  if (reason === undefined) return { pid };
  ctx.onEvent?.({
    type: "warning",
    step: "restart",
    message: `${strategy}: the pid file ${pidFile} is stale (${reason}); pid ${pid} is left alone and treated as not running.`,
  });
  return { stale: reason };
}

/** Writes a pid file on the host through a temp file + rename, creating its folder. */
export async function writePidFile(host: HostConnection, path: string, pid: number): Promise<void> {
  await host.writeFile(path, `${pid}\n`);
}

/** Removes a pid file on the host; a missing one is fine. */
export async function removePidFile(host: HostConnection, path: string): Promise<void> {
  await host.remove([path]);
}
