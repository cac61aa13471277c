import { didYouMean } from "@deploykit/core";
import type { ArgsDef } from "citty";

/** A bad command line: unknown command or flag, missing or malformed argument. Exit code 2. */
export class UsageError extends Error {
  /** What to type instead. */
  readonly hint: string;
  /** The code shown with the message: `E_USAGE`, or the SDK's code for a malformed value (`E_INVALID_VERSION`). */
  readonly code: string;

  constructor(
    message: string,
    hint = "Run `deploykit --help` for the commands and their flags.",
    code = "E_USAGE",
  ) {
    super(message);
    this.name = "UsageError";
    this.hint = hint;
    this.code = code;
  }
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * citty parses leniently (unknown flags are kept, extra positionals ignored, a string flag
 * without a value becomes ""); deploykit refuses them so a typo never silently changes what a
 * deploy does. An unknown flag close to a known one is suggested (`--chanel` → `--channel`).
 *
 * @throws {@link UsageError}
 */
export function assertKnownArgs(command: string, rawArgs: string[], args: ArgsDef, positionals: string[]) {
  const hint = `Run \`deploykit ${command} --help\` for its flags.`;
  const names = new Map<string, ArgsDef[string]>();
  const flags: string[] = [];
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    flags.push(`--${kebab(name)}`);
    const alias = "alias" in def ? def.alias : undefined;
    const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    for (const spelling of [name, camel(name), kebab(name), ...aliases]) names.set(spelling, def);
  }
  for (let i = 0; i < rawArgs.length; i++) {
    const token = rawArgs[i] as string;
    if (token === "--") break;
    if (!token.startsWith("-") || token === "-") continue;
    const [flag, ...value] = token.split("=");
    const name = (flag as string).replace(/^--?/, "");
    const negated = name.startsWith("no-") ? names.get(name.slice(3)) : undefined;
    const def = names.get(name) ?? (negated?.type === "boolean" ? negated : undefined);
    if (!def) {
      const suggestion = didYouMean(flag as string, flags);
      throw new UsageError(`Unknown flag ${flag} for \`deploykit ${command}\`.`, `${suggestion}${hint}`);
    }
    if (def.type !== "string" && def.type !== "enum") continue;
    const next = token.includes("=") ? value.join("=") : rawArgs[++i];
    if (next === undefined || next === "" || (!token.includes("=") && next.startsWith("--"))) {
      throw new UsageError(`${flag} needs a value.`, hint);
    }
  }
  const extra = positionals.length - Object.values(args).filter((d) => d.type === "positional").length;
  if (extra > 0) {
    const unexpected = positionals.slice(positionals.length - extra).join(" ");
    throw new UsageError(`Unexpected argument(s) for \`deploykit ${command}\`: ${unexpected}`, hint);
  }
}
