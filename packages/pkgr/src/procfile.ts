import { readFile } from "node:fs/promises";
import { join } from "node:path";

const LINE = /^([A-Za-z0-9_-]+):\s*(.*\S)\s*$/;

/**
 * Parses Procfile text as Heroku does: one `<type>: <command>` a line, `type` matching
 * `[A-Za-z0-9_-]+`, CRLF or LF line ends, a leading UTF-8 BOM dropped; any other line (comments,
 * blanks) is ignored and the first line for a type wins.
 */
export function parseProcfile(text: string): Record<string, string> {
  const processes: Record<string, string> = {};
  // A UTF-8 BOM (editors on Windows add one) would otherwise hide the first line's type.
  for (const line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
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

/**
 * The process types that run as services, as on Heroku where one-off types are never scaled up:
 * the Procfile's types, plus `web` from the buildpack's `default_process_types` when the
 * Procfile has no `web` (a buildpack's `rake` or `console` default never becomes a service).
 */
export function serviceTypes(procfile: Record<string, string>, defaults: Record<string, string>): string[] {
  const types = Object.keys(procfile);
  if (!("web" in procfile) && "web" in defaults) types.push("web");
  return types.sort();
}
