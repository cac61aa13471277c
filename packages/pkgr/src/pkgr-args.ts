import { DeployKitError } from "@deploykit/core";
import { isEnvWord, parseEnvWords } from "./env-words";
import { liftBuildpackVars } from "./lift-vars";
import type { BuildFormat, BuildOptions } from "./options";
import { scriptLine } from "./pkgr-yml";

/** `pkgr package` options parsed, plus the flags that only change what the CLI prints. */
export interface PkgrArgs extends BuildOptions {
  /** `--verbose`: show buildpack output. */
  verbose: boolean;
  /** `--debug`: show stack traces. */
  debug: boolean;
  /** `--clean`: accepted for pkgr compatibility (deploykit always builds in a fresh temp dir). */
  clean: boolean;
  /** `--edge`: accepted for pkgr compatibility (no effect). */
  edge: boolean;
}

type Kind = "string" | "boolean" | "list" | "comma" | "env" | "number" | "script";

/** pkgr's `package` flags, by dashed name: the option they set and how their value is read. */
const FLAGS: Record<string, [key: string, kind: Kind]> = {
  name: ["name", "string"],
  version: ["version", "string"],
  iteration: ["iteration", "string"],
  user: ["user", "string"],
  group: ["group", "string"],
  home: ["home", "string"],
  buildpack: ["buildpacks", "comma"],
  "buildpack-list": ["buildpackList", "string"],
  env: ["env", "env"],
  secret: ["secrets", "comma"],
  architecture: ["architecture", "string"],
  maintainer: ["maintainer", "string"],
  vendor: ["vendor", "string"],
  description: ["description", "string"],
  homepage: ["homepage", "string"],
  license: ["license", "string"],
  category: ["category", "string"],
  dependencies: ["dependencies", "list"],
  "build-dependencies": ["buildDependencies", "list"],
  "before-precompile": ["beforePrecompile", "script"],
  "after-precompile": ["afterPrecompile", "script"],
  "before-install": ["beforeInstall", "string"],
  "after-install": ["afterInstall", "string"],
  "before-remove": ["beforeRemove", "string"],
  "after-remove": ["afterRemove", "string"],
  runner: ["runner", "string"],
  "force-os": ["forceOs", "string"],
  target: ["forceOs", "string"],
  compression: ["compression", "string"],
  "restart-on-upgrade": ["restartOnUpgrade", "boolean"],
  "compile-cache-dir": ["compileCacheDir", "string"],
  "logrotate-frequency": ["logrotateFrequency", "string"],
  "logrotate-backlog": ["logrotateBacklog", "number"],
  "disable-cli": ["disableCli", "boolean"],
  verbose: ["verbose", "boolean"],
  debug: ["debug", "boolean"],
  clean: ["clean", "boolean"],
  edge: ["edge", "boolean"],
  format: ["format", "string"],
  "out-dir": ["outDir", "string"],
  stack: ["stack", "string"],
  "buildpack-vendor-url": ["buildpackVendorUrl", "string"],
};

const usage = (message: string, details: Record<string, unknown> = {}) =>
  new DeployKitError("E_INVALID_INPUT", message, {
    hint: "Usage: deploykit package [pkgr options] DIR (see `deploykit package --help`).",
    details,
  });

/** pkgr's default iteration: the build time as `%Y%m%d%H%M%S` (UTC). */
export const timestampIteration = (now: Date) => now.toISOString().replace(/\D/g, "").slice(0, 14);

/**
 * Parses a `pkgr package` command line (the words after `package`) into build options,
 * accepting pkgr's quirks: `--name=x` and `--name x`; `--env` followed by several `NAME=value`
 * words (quotes the shell left in a value are stripped, so `"STACK=\"\""` is an empty STACK);
 * `--buildpack` and `--secret NAME` (deploykit's own: an `--env` var that is a secret) as comma
 * lists, repeatable; `--no-<flag>` for booleans; the app DIR (default `.`).
 * `STACK` and `BUILDPACK_VENDOR_URL` given through `--env` become `stack`/`buildpackVendorUrl`.
 * `--iteration` defaults to the timestamp of `now`; `--version` is left for `buildPackage` to
 * default from git tags. Pure: no file or environment is read.
 *
 * @throws `DeployKitError` `E_INVALID_INPUT` for an unknown flag, a missing value, or
 * more than one DIR.
 */
export function parsePkgrArgs(argv: readonly string[], now: Date = new Date()): PkgrArgs {
  const out: Record<string, unknown> = { verbose: false, debug: false, clean: false, edge: false };
  const env: string[] = [];
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (!word.startsWith("--") || word === "--") {
      if (word !== "--") dirs.push(word);
      else dirs.push(...argv.slice(i + 1));
      if (word === "--") break;
      continue;
    }
    const eq = word.indexOf("=");
    let flag = eq === -1 ? word.slice(2) : word.slice(2, eq);
    const inline = eq === -1 ? undefined : word.slice(eq + 1);
    let negated = false;
    if (!(flag in FLAGS) && flag.startsWith("no-") && FLAGS[flag.slice(3)]?.[1] === "boolean") {
      flag = flag.slice(3);
      negated = true;
    }
    const spec = FLAGS[flag];
    if (!spec) throw usage(`Unknown option --${flag}.`, { option: flag });
    const [key, kind] = spec;
    if (kind === "boolean") {
      out[key] = negated ? false : inline === undefined ? true : !/^(false|no|0)$/i.test(inline);
      continue;
    }
    if (kind === "env" || kind === "list") {
      const values = inline === undefined ? [] : [inline];
      while (i + 1 < argv.length && !(argv[i + 1] as string).startsWith("--")) {
        const next = argv[i + 1] as string;
        if (kind === "env" && !isEnvWord(next)) break;
        if (kind === "list" && values.length > 0 && i + 2 >= argv.length) break;
        values.push(next);
        i++;
      }
      if (values.length === 0) throw usage(`--${flag} needs a value.`, { option: flag });
      if (kind === "env") env.push(...values);
      else out[key] = [...((out[key] as string[]) ?? []), ...values.flatMap((v) => v.split(","))];
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--"))
        throw usage(`--${flag} needs a value.`, { option: flag });
      value = next;
      i++;
    }
    if (kind === "comma") out[key] = [...((out[key] as string[]) ?? []), ...value.split(",").filter(Boolean)];
    else if (kind === "script") out[key] = [...((out[key] as string[]) ?? []), scriptLine(value)];
    else if (kind === "number") {
      const number = Number(value);
      if (!Number.isInteger(number))
        throw usage(`--${flag} must be a whole number, not "${value}".`, { option: flag });
      out[key] = number;
    } else out[key] = value;
  }
  if (dirs.length > 1)
    throw usage(`Expected one app directory, got ${dirs.length}: ${dirs.join(" ")}.`, { dirs });
  if (out.format !== undefined && out.format !== "tgz" && out.format !== "deb") {
    throw usage(`--format must be tgz or deb, not "${String(out.format)}".`, { format: out.format });
  }
  const parsed = { ...out, appDir: dirs[0] ?? "." } as PkgrArgs & { format?: BuildFormat };
  if (env.length > 0) parsed.env = parseEnvWords(env, "--env");
  parsed.iteration ??= timestampIteration(now);
  return liftBuildpackVars(parsed);
}
