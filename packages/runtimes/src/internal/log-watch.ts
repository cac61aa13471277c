import { open, stat } from "node:fs/promises";
import { type HostConnection, remoteFileSize, remoteReadFrom } from "@deploykit/core";

/** A position in a log file on a host, to look only at what was written after it. */
export interface LogMark {
  host: HostConnection;
  path: string;
  offset: number;
}

const MAX = 1024 * 1024;

/** Marks the current end of a log file on the host (0 when it does not exist yet). */
export async function markLog(host: HostConnection, path: string): Promise<LogMark> {
  if (host.kind !== "local") return { host, path, offset: await remoteFileSize(host, path) };
  return { host, path, offset: (await stat(path).catch(() => undefined))?.size ?? 0 };
}

/** The lines written to the log since the mark (at most the last 1 MiB of them). */
export async function linesSince(mark: LogMark): Promise<string[]> {
  if (mark.host.kind !== "local") {
    return (await remoteReadFrom(mark.host, mark.path, mark.offset, MAX)).toString("utf8").split("\n");
  }
  const file = await open(mark.path, "r").catch(() => undefined);
  if (!file) return [];
  try {
    const { size } = await file.stat();
    const start = Math.max(mark.offset, size - MAX);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    await file.read(buffer, 0, buffer.length, start);
    return buffer.toString("utf8").split("\n");
  } finally {
    await file.close();
  }
}
