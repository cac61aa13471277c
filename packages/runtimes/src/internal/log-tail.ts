import { open } from "node:fs/promises";
import { type HostConnection, remoteReadFrom } from "@deploykit/core";

/** The last `bytes` of a log file on the host as text (empty when it is missing), for failure reports. */
export async function logTail(host: HostConnection, path: string, bytes = 2_000): Promise<string> {
  if (host.kind !== "local") return (await remoteReadFrom(host, path, 0, bytes)).toString("utf8");
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
