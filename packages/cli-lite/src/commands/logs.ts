import { tailLogs } from "@deploykit/core";
import { hostArgs } from "../args";
import type { CommandSpec } from "../command";
import { rootFromSettings } from "../host-options";

const args = {
  root: hostArgs.root,
  lines: { type: "string", alias: "n", description: "Lines from the end of each log (default 50)" },
  file: { type: "string", description: "Only this file of shared/log, e.g. web.log" },
} as const;

/** `deploykit logs` → `tailLogs()`. */
export const logsCommand: CommandSpec<typeof args> = {
  name: "logs",
  description: "Show the last lines of the app's logs under <root>/shared/log",
  args,
  async run({ settings, io }) {
    const root = await rootFromSettings(settings, io.cwd, { mustExist: true });
    const lines = settings.integer("lines");
    const file = settings.flag("file");
    const tails = await tailLogs({
      root,
      ...(lines !== undefined ? { lines } : {}),
      ...(file !== undefined ? { file } : {}),
    });
    return {
      value: tails,
      lines: tails.length
        ? tails.flatMap((t) => [`==> ${t.file} <==`, ...t.lines])
        : ["No *.log files under shared/log."],
    };
  },
};
