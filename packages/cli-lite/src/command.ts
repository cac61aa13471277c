import type { DeployEvent } from "@deploykit/core";
import type { FleetEvent } from "@deploykit/fleet";
import { type ArgsDef, type CommandDef, defineCommand, type ParsedArgs } from "citty";
import { globalArgs } from "./args";
import { loadConfig } from "./config";
import type { CliIo } from "./io";
import { humanReporter } from "./output/human-reporter";
import { jsonReporter } from "./output/json-reporter";
import type { Reporter } from "./output/reporter";
import { Settings } from "./settings";
import { assertKnownArgs } from "./usage";

/** What a command hands back: the SDK call's result and how to say it to a person. */
export interface Outcome {
  /** The SDK call's return value, printed as is with `--json`. */
  value: unknown;
  /** The human summary, printed on stdout. */
  lines: string[];
  /** Non-zero when the SDK call returned a failure instead of throwing (a rolled-back deploy). */
  exitCode?: number;
}

/** What a command's body gets. */
export interface RunContext<T extends ArgsDef> {
  args: ParsedArgs<T & typeof globalArgs>;
  /** The arguments after the command name, unparsed (for pkgr-compatible parsing). */
  rawArgs: string[];
  /** Flags merged over the config file. */
  settings: Settings;
  io: CliIo;
  /** Renders an SDK event (a fleet command's too). */
  onEvent: (event: DeployEvent | FleetEvent) => void;
  signal?: AbortSignal;
}

/** A deploykit command: its flags and a body that makes one SDK call. */
export interface CommandSpec<T extends ArgsDef> {
  name: string;
  description: string;
  args: T;
  /** Skip the unknown-flag check: the body parses `rawArgs` itself (pkgr's spelling). */
  ownParser?: boolean;
  run(ctx: RunContext<T>): Promise<Outcome>;
}

/** State shared between the command that runs and the error handler around it. */
export interface Session {
  reporter?: Reporter;
  exitCode: number;
}

/**
 * Turns a {@link CommandSpec} into a citty command: adds the global flags, refuses unknown
 * ones, loads the config file, picks the human or JSON reporter and prints the outcome.
 */
export function deploykitCommand<T extends ArgsDef>(
  spec: CommandSpec<T>,
  io: CliIo,
  session: Session,
): CommandDef<T & typeof globalArgs> {
  const args = { ...spec.args, ...globalArgs } as T & typeof globalArgs;
  return defineCommand({
    meta: { name: spec.name, description: spec.description },
    args,
    async run({ args: parsed, rawArgs }) {
      const options = { verbose: parsed.verbose === true, debug: parsed.debug === true };
      session.reporter = parsed.json ? jsonReporter(io, options) : humanReporter(io, options);
      if (!spec.ownParser) assertKnownArgs(spec.name, rawArgs, args, parsed._);
      const config = await loadConfig(io.cwd, parsed.config, io.env ?? process.env);
      const reporter = session.reporter;
      const outcome = await spec.run({
        args: parsed,
        rawArgs,
        settings: new Settings(spec.name, parsed, config),
        io,
        onEvent: (event) => reporter.onEvent(event),
        signal: io.signal,
      });
      reporter.result(spec.name, outcome.value, outcome.lines);
      session.exitCode = outcome.exitCode ?? 0;
    },
  });
}
