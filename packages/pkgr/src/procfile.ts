import { readFile } from "node:fs/promises";
import { join } from "node:path";

const LINE = /^([A-Za-z0-9_-]+):\s*(.*\S)\s*$/;

/**
 * Parses Procfile text: one `<type>: <command>` a line, `type` matching `[A-Za-z0-9_-]+`; any
 * other line (comments, blanks) is ignored and the first line for a type wins.
 */
export function parseProcfile(text: string): Record<string, string> {
  const processes: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, type, command] = match as unknown as [string, string, string];
    if (!(type in processes)) processes[type] = command;
  }
  return processes;
}

/** Reads and parses `dir/Procfile`; no Procfile gives no process types. */
export async function readProcfile(dir: string): Promise<Record<string, string>> {
  try {
    return parseProcfile(await readFile(join(dir, "Procfile"), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
}
