import type { HostConnection } from "@deploykit/core";

/** What the launcher writes to its state file after each step. */
export interface LauncherState {
  pid: number;
  generation: number;
  status: "starting" | "ready" | "failed";
  workers: number[];
  dir?: string;
  error?: string;
  retired?: number[];
}

/** Reads the launcher's state file on the host; undefined while it does not exist or is being replaced. */
export async function readLauncherState(
  host: HostConnection,
  path: string,
): Promise<LauncherState | undefined> {
  const text = (await host.readFile(path).catch(() => undefined))?.toString("utf8");
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as LauncherState;
  } catch {
    return undefined;
  }
}
