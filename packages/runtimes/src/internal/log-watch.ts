import { open, stat } from "node:fs/promises";
import { type HostConnection, remoteFileSize, remoteReadFrom } from "@deploykit/core";

/**
 * A position in a log file on a host, taken just before a strategy starts (or signals) the new
 * release: the log in `shared/log` is appended to by every release's runs, so what the new
 * release wrote is what comes after the mark.
 */
export interface LogMark {
  host: HostConnection;
  path: string;
  /** The file's size in bytes when marked (0 when it did not exist yet). */
  offset: number;
}

/** What boot checks read since the mark at most (bytes). */
const WATCHED = 1024 * 1024;
/** What a failure report quotes since the mark at most (bytes). */
const QUOTED = 2_000;

/** Marks the current end of a log file on the host (0 when it does not exist yet). */
export async function markLog(host: HostConnection, path: string): Promise<LogMark> {
  if (host.kind !== "local") return { host, path, offset: await remoteFileSize(host, path) };
  return { host, path, offset: (await stat(path).catch(() => undefined))?.size ?? 0 };
}

/**
 * The text written to the log since the mark, at most its last `maxBytes` bytes; empty when the
 * file is missing. Locally, a file shorter than the mark (truncated by a log rotation since) is
 * read from its start.
 */
async function textSince(mark: LogMark, maxBytes: number): Promise<string> {
  if (mark.host.kind !== "local") {
    return (await remoteReadFrom(mark.host, mark.path, mark.offset, maxBytes)).toString("utf8");
  }
  const file = await open(mark.path, "r").catch(() => undefined);
  if (!file) return "";
  try {
    const { size } = await file.stat();
    const from = size < mark.offset ? 0 : mark.offset;
    const start = Math.max(from, size - maxBytes);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    await file.read(buffer, 0, buffer.length, start);
    return buffer.toString("utf8");
  } finally {
    await file.close();
  }
}

/** The lines written to the log since the mark (at most the last 1 MiB of them). */
export async function linesSince(mark: LogMark): Promise<string[]> {
  return (await textSince(mark, WATCHED)).split("\n");
}

/**
 * The log's tail for a failure report (`details.log`): only what was written since the mark, so
 * the lines of earlier releases' runs in the same file are left out (at most the last 2000 bytes).
 * While an old process still runs beside the new one (unicorn's two masters, a quiet sidekiq,
 * node's old workers) its lines of that time are in it too. Never rejects: a read that fails
 * is named in the text.
 */
export function logTail(mark: LogMark): Promise<string> {
  // Best effort: a log that cannot be read (a dropped SSH channel) must not replace the failure
  // it was read for.
  return textSince(mark, QUOTED).catch(
    (error: unknown) => `(the log ${mark.path} could not be read: ${(error as Error).message})`,
  );
}
