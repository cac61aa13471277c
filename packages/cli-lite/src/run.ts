import { didYouMean, isDeployKitError } from "@deploykit/core";
import { type CommandDef, renderUsage, runCommand } from "citty";
import { stripAnsi } from "consola/utils";
import { globalArgs } from "./args";
import type { Session } from "./command";
import { type CliIo, processIo } from "./io";
import { colorEnabled } from "./output/colors";
import { humanReporter } from "./output/human-reporter";
import { jsonReporter } from "./output/json-reporter";
import type { Reporter } from "./output/reporter";
import { CLI_VERSION, commandNames, rootCommand } from "./root";
import { settleOrReport } from "./unsettled";
import { UsageError } from "./usage";

/** Exit codes: success, a failed operation, a bad command line. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * The SDK's codes for input it refuses before anything is written (`--keep 0`, a malformed
 * health URL, a bad name): a malformed command line as much as an unknown flag is, so exit 2.
 */
const BAD_INPUT = new Set(["E_INVALID_INPUT", "E_INVALID_NAME", "E_INVALID_VERSION"]);

/** The global flags (see `globalArgs`) that take a value, spelled `--config file` or `--config=file`. */
const VALUE_FLAGS = Object.entries(globalArgs)
  .filter(([, def]) => def.type === "string")
  .map(([name]) => `--${name}`);
const LEADING_FLAGS = new Set(
  Object.entries(globalArgs).flatMap(([name, def]) =>
    def.type === "boolean" ? [`--${name}`, `--no-${name}`] : [`--${name}`],
  ),
);

/** How many tokens the global flag at `argv[i]` takes (0 when it is not one). */
function leadingFlag(argv: string[], i: number): number {
  const token = argv[i];
  if (token === undefined) return 0;
  if (VALUE_FLAGS.some((flag) => token.startsWith(`${flag}=`))) return 1;
  if (!LEADING_FLAGS.has(token)) return 0;
  return VALUE_FLAGS.includes(token) && i + 1 < argv.length ? 2 : 1;
}

/**
 * `deploykit --json --config cfg.yml publish x` → `deploykit publish --json --config cfg.yml x`:
 * the global flags (`deploykit --help` lists them) may come before the command.
 */
function commandFirst(argv: string[]): string[] {
  let i = 0;
  for (let n = leadingFlag(argv, i); n > 0; n = leadingFlag(argv, i)) i += n;
  if (i === 0 || i === argv.length || (argv[i] as string).startsWith("-")) return argv;
  return [argv[i] as string, ...argv.slice(0, i), ...argv.slice(i + 1)];
}

/** The command's name: the first word that is neither a flag nor a global flag's value. */
const firstPositional = (argv: string[]) => {
  const end = argv.indexOf("--");
  const words = end < 0 ? argv : argv.slice(0, end);
  return words.find((a, i) => !a.startsWith("-") && !VALUE_FLAGS.includes(words[i - 1] as string));
};

const VERSION_FLAGS = new Set(["-v", "-V", "--version"]);

/** What the root usage adds to citty's: the global flags and the help command. */
const ROOT_FOOTER = `
GLOBAL FLAGS

  -v, --version    Print deploykit's version
  -h, --help       Show help (also: deploykit help [command])
  --json           NDJSON on stdout: events, then one last line, the result or the error
  --verbose        Also show log lines from child processes
  --debug          Show stack traces with errors
  --config <file>  Config file (default: found from the working directory up)

Exit codes: 0 done, 1 the operation failed, 2 a malformed command line.`;

async function usage(
  root: CommandDef,
  name: string | undefined,
  stream: NodeJS.WriteStream,
): Promise<string> {
  const subCommands = (root.subCommands ?? {}) as Record<string, CommandDef>;
  const sub = name ? subCommands[name] : undefined;
  const text = sub ? await renderUsage(sub, root) : `${await renderUsage(root)}\n${ROOT_FOOTER}`;
  return colorEnabled(stream) ? text : stripAnsi(text);
}

/** The command's reporter, or (when it failed before choosing one) the one its flags ask for. */
function reporterFor(session: Session, io: CliIo, beforeEnd: string[]): Reporter {
  const options = { verbose: false, debug: beforeEnd.includes("--debug") };
  return (
    session.reporter ??
    (beforeEnd.includes("--json") ? jsonReporter(io, options) : humanReporter(io, options))
  );
}

const unknownCommand = (name: string) =>
  new UsageError(
    `Unknown command "${name}".`,
    `${didYouMean(name, commandNames)}The commands are: ${commandNames.join(", ")}.`,
  );

/**
 * Runs the `deploykit` command line `argv` (without `node` and the script) and resolves to
 * the exit code: 0 ok, 1 the operation failed, 2 usage error. Never throws and never calls
 * `process.exit`, so it can be embedded and tested in-process. If the event loop empties before
 * the command's operation settles (a bug: nothing could ever finish it), it reports an
 * `E_INTERNAL` error and sets `process.exitCode` to 1 instead of letting Node exit 0 silently.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(["publish", "dist/web-1.0.0.tgz", "--store", "/srv/store"])
 * ```
 */
export async function runCli(rawArgv: string[], io: CliIo = processIo()): Promise<number> {
  const argv = commandFirst(rawArgv);
  const session: Session = { exitCode: EXIT.ok };
  const root = rootCommand(io, session);
  const name = firstPositional(argv);
  const beforeEnd = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  try {
    if (argv.length === 1 && VERSION_FLAGS.has(argv[0] as string)) {
      io.stdout.write(`${CLI_VERSION}\n`);
      return EXIT.ok;
    }
    if (name === "help" && argv[0] === "help") {
      const topic = argv[1];
      if (argv.length > 2) throw new UsageError("`deploykit help` takes at most one command name.");
      if (topic !== undefined && !commandNames.includes(topic)) throw unknownCommand(topic);
      io.stdout.write(`${await usage(root, topic, io.stdout)}\n`);
      return EXIT.ok;
    }
    if (beforeEnd.includes("--help") || beforeEnd.includes("-h")) {
      io.stdout.write(
        `${await usage(root, name && commandNames.includes(name) ? name : undefined, io.stdout)}\n`,
      );
      return EXIT.ok;
    }
    if (name === undefined) {
      if (!beforeEnd.includes("--json")) io.stderr.write(`${await usage(root, undefined, io.stderr)}\n`);
      throw new UsageError("No command given.");
    }
    if (!commandNames.includes(name)) throw unknownCommand(name);
    await settleOrReport(runCommand(root, { rawArgs: argv }), () => {
      const reporter = reporterFor(session, io, beforeEnd);
      reporter.error(
        new Error(
          `deploykit ${name} stopped before its operation finished: nothing was left to wait for, so its result is unknown.`,
        ),
      );
      reporter.close();
      process.exitCode = EXIT.failure;
    });
    return session.exitCode;
  } catch (thrown) {
    const error =
      thrown instanceof Error && thrown.name === "CLIError"
        ? new UsageError(stripAnsi(thrown.message), `Run \`deploykit ${name} --help\` for its arguments.`)
        : thrown;
    reporterFor(session, io, beforeEnd).error(error);
    const badInput = error instanceof UsageError || (isDeployKitError(error) && BAD_INPUT.has(error.code));
    return badInput ? EXIT.usage : EXIT.failure;
  } finally {
    session.reporter?.close();
  }
}
