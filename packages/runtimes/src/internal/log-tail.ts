import { open } from "node:fs/promises";

/** The last `bytes` of a log file as text (empty when it is missing), for failure reports. */
export async function logTail(path: string, bytes = 2_000): Promise<string> {
  const file = await open(path, "r").catch(() => undefined);
  if (!file) return "";
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    return buffer.toString("utf8");
  } finally {
    await file.close();
  }
}
