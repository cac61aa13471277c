import { open, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { assertDirectory } from "./directory";
import { DeployKitError } from "./errors";
import { hostLayout } from "./host/layout";

/** Options for {@link tailLogs}. */
export interface TailLogsOptions {
  /** The host root; logs are read from `<root>/shared/log`. */
  root: string;
  /** Lines from the end of each file. Default 50. */
  lines?: number;
  /** Only this file of `shared/log` (e.g. `web.log`); default every `*.log` there. */
  file?: string;
}

/** The last lines of one log file. */
export interface LogTail {
  /** The file, relative to `shared/log`. */
  file: string;
  path: string;
  lines: string[];
}

const BLOCK = 64 * 1024;

/** The last `count` lines of a file, read backwards in 64 KiB blocks (a large log is never read whole). */
async function lastLines(path: string, count: number): Promise<string[]> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    let position = size;
    let text = "";
    while (position > 0 && text.split("\n").length <= count + 1) {
      const length = Math.min(BLOCK, position);
      position -= length;
      const { buffer } = await handle.read(Buffer.alloc(length), 0, length, position);
      text = buffer.toString("utf8") + text;
    }
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}

/**
 * The last lines of the app's logs under `<root>/shared/log` (where the strategies write
 * `<process>.log`), one entry per file, in file-name order.
 *
 * @example
 * ```ts
 * for (const log of await tailLogs({ root: "/srv/web", lines: 20 })) console.log(log.file, log.lines)
 * ```
 * @throws {@link DeployKitError} `E_NOT_FOUND` (root, log dir or file), `E_NOT_A_DIRECTORY`,
 * `E_INVALID_INPUT` (lines, a file outside `shared/log`).
 */
export async function tailLogs(options: TailLogsOptions): Promise<LogTail[]> {
  const count = options.lines ?? 50;
  if (!Number.isInteger(count) || count < 1) {
    throw new DeployKitError("E_INVALID_INPUT", `lines must be a whole number >= 1 (got ${count}).`, {
      hint: "e.g. lines: 100",
    });
  }
  if (options.file !== undefined && (options.file.includes("/") || options.file.startsWith("."))) {
    throw new DeployKitError("E_INVALID_INPUT", `"${options.file}" is not a file name in shared/log.`, {
      hint: "Pass a plain file name such as web.log.",
    });
  }
  const layout = hostLayout(resolve(options.root));
  await assertDirectory(layout.root, { what: "The host root", mustExist: true, hint: "Check the root." });
  await assertDirectory(layout.logs, {
    what: "The log directory",
    mustExist: true,
    hint: "Nothing has logged there yet: deploy the app with a strategy that writes shared/log.",
  });
  const files =
    options.file !== undefined
      ? [options.file]
      : (await readdir(layout.logs)).filter((name) => name.endsWith(".log")).sort();
  const tails: LogTail[] = [];
  for (const file of files) {
    const path = join(layout.logs, file);
    const lines = await lastLines(path, count).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
      const there = (await readdir(layout.logs)).filter((name) => name.endsWith(".log")).sort();
      throw new DeployKitError("E_NOT_FOUND", `The log ${path} does not exist.`, {
        hint: `Files there: ${there.join(", ") || "none"}.`,
        details: { path },
      });
    });
    tails.push({ file, path, lines });
  }
  return tails;
}
