import type { ArgsDef } from "citty";

/** A bad command line: unknown command or flag, missing or malformed argument. Exit code 2. */
export class UsageError extends Error {
  /** What to type instead. */
  readonly hint: string;

  constructor(message: string, hint = "Run `deploykit --help` for the commands and their flags.") {
    super(message);
    this.name = "UsageError";
    this.hint = hint;
  }
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * citty parses leniently (unknown flags are kept, extra positionals ignored); deploykit
 * refuses them so a typo never silently changes what a deploy does.
 *
 * @throws {@link UsageError}
 */
export function assertKnownArgs(command: string, rawArgs: string[], args: ArgsDef, positionals: string[]) {
  const hint = `Run \`deploykit ${command} --help\` for its flags.`;
  const names = new Map<string, ArgsDef[string]>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const alias = "alias" in def ? def.alias : undefined;
    const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    for (const spelling of [name, camel(name), kebab(name), ...aliases]) names.set(spelling, def);
  }
  for (let i = 0; i < rawArgs.length; i++) {
    const token = rawArgs[i] as string;
    if (token === "--") break;
    if (!token.startsWith("-") || token === "-") continue;
    const name = token.replace(/^--?/, "").split("=")[0] as string;
    const negated = name.startsWith("no-") ? names.get(name.slice(3)) : undefined;
    const def = names.get(name) ?? (negated?.type === "boolean" ? negated : undefined);
    if (!def) throw new UsageError(`Unknown flag ${token.split("=")[0]} for \`deploykit ${command}\`.`, hint);
    if ((def.type === "string" || def.type === "enum") && !token.includes("=")) i++;
  }
  const extra = positionals.length - Object.values(args).filter((d) => d.type === "positional").length;
  if (extra > 0) {
    const unexpected = positionals.slice(positionals.length - extra).join(" ");
    throw new UsageError(`Unexpected argument(s) for \`deploykit ${command}\`: ${unexpected}`, hint);
  }
}
