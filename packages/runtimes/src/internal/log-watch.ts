import { open, stat } from "node:fs/promises";

/** A position in a log file, to look only at what was written after it. */
export interface LogMark {
  path: string;
  offset: number;
}

/** Marks the current end of a log file (0 when it does not exist yet). */
export async function markLog(path: string): Promise<LogMark> {
  return { path, offset: (await stat(path).catch(() => undefined))?.size ?? 0 };
}

/** The lines written to the log since the mark (at most the last 1 MiB of them). */
export async function linesSince(mark: LogMark): Promise<string[]> {
  const file = await open(mark.path, "r").catch(() => undefined);
  if (!file) return [];
  try {
    const { size } = await file.stat();
    const start = Math.max(mark.offset, size - 1024 * 1024);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    await file.read(buffer, 0, buffer.length, start);
    return buffer.toString("utf8").split("\n");
  } finally {
    await file.close();
  }
}
