import { type CommandDef, defineCommand } from "citty";
import packageJson from "../package.json";
import { type CommandSpec, deploykitCommand, type Session } from "./command";
import { buildCommand } from "./commands/build";
import { completionCommand } from "./commands/completion";
import { deployCommand } from "./commands/deploy";
import { installCommand } from "./commands/install";
import { keysCommand } from "./commands/keys";
import { lockCommand } from "./commands/lock";
import { logsCommand } from "./commands/logs";
import { packageCommand } from "./commands/package";
import { promoteCommand } from "./commands/promote";
import { pruneCommand } from "./commands/prune";
import { publishCommand } from "./commands/publish";
import { releasesCommand } from "./commands/releases";
import { restartCommand } from "./commands/restart";
import { rollbackCommand } from "./commands/rollback";
import { runCommand } from "./commands/run";
import { statusCommand } from "./commands/status";
import { vendorCommand } from "./commands/vendor";
import type { CliIo } from "./io";

/** The CLI's version (the package's). */
export const CLI_VERSION: string = packageJson.version;

// biome-ignore lint/suspicious/noExplicitAny: specs differ in their flags
const commands: CommandSpec<any>[] = [
  buildCommand,
  packageCommand,
  publishCommand,
  installCommand,
  deployCommand,
  rollbackCommand,
  releasesCommand,
  restartCommand,
  runCommand,
  vendorCommand,
  keysCommand,
  statusCommand,
  logsCommand,
  promoteCommand,
  pruneCommand,
  lockCommand,
];
commands.push(completionCommand([...commands]));

/** The names of the registered commands, in help order. */
export const commandNames: string[] = commands.map((c) => c.name);

/** The `deploykit` command with every registered subcommand, bound to `io` and `session`. */
export function rootCommand(io: CliIo, session: Session): CommandDef {
  return defineCommand({
    meta: {
      name: "deploykit",
      version: CLI_VERSION,
      description: "Build, publish, install and restart app releases",
    },
    subCommands: Object.fromEntries(commands.map((spec) => [spec.name, deploykitCommand(spec, io, session)])),
  });
}
