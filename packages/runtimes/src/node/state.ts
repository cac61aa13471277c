import { readFile } from "node:fs/promises";

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

/** Reads the launcher's state file; undefined while it does not exist or is being replaced. */
export async function readLauncherState(path: string): Promise<LauncherState | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as LauncherState;
  } catch {
    return undefined;
  }
}
