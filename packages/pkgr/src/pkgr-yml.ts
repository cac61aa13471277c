import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError } from "@deploykit/core";
import { parse } from "yaml";
import { parseEnvWords } from "./env-words";
import type { BuildOptions } from "./options";

/** Options `.pkgr.yml` can set (its keys use pkgr's snake_case or dashed names). */
export type PkgrYmlOptions = Partial<Omit<BuildOptions, "appDir" | "onEvent" | "signal">>;

/** Options that are lists: `.pkgr.yml` and the command line are unioned (pkgr's rule). */
const LIST_KEYS = [
  "dependencies",
  "buildDependencies",
  "beforePrecompile",
  "afterPrecompile",
  "secrets",
] as const;

const camel = (key: string) => key.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());

const asList = (value: unknown): string[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

const STRING_KEYS = new Set([
  "name",
  "version",
  "iteration",
  "user",
  "group",
  "home",
  "stack",
  "buildpackVendorUrl",
  "compileCacheDir",
  "maintainer",
  "vendor",
  "description",
  "homepage",
  "license",
  "category",
  "architecture",
  "beforeInstall",
  "afterInstall",
  "beforeRemove",
  "afterRemove",
  "runner",
  "forceOs",
  "logrotateFrequency",
  "buildpackList",
]);

/**
 * Converts a parsed `.pkgr.yml` into build options: scalars by name, `buildpack` (comma list),
 * `env` (a list of `K=V` or a map), `secrets` (names of `env` vars that are secrets), `dependencies`/`build_dependencies`, `before`/`after` (shell
 * lines) plus `before_precompile`/`after_precompile` (script paths), and `targets`.
 * Keys deploykit does not use (`crons`, `cli`, `services`...) are ignored.
 */
export function pkgrYmlToOptions(doc: Record<string, unknown>, source: string): PkgrYmlOptions {
  const out: PkgrYmlOptions = {};
  const target = out as Record<string, unknown>;
  for (const [rawKey, value] of Object.entries(doc)) {
    const key = camel(rawKey);
    if (STRING_KEYS.has(key) && value !== null && value !== undefined) target[key] = String(value);
    else if (key === "buildpack" || key === "buildpacks")
      out.buildpacks = asList(value).flatMap((b) => b.split(","));
    else if (key === "env") out.env = envOf(value, source);
    else if (key === "dependencies" || key === "buildDependencies" || key === "secrets")
      target[key] = asList(value);
    else if (key === "before") out.beforePrecompile = [...(out.beforePrecompile ?? []), ...asList(value)];
    else if (key === "after") out.afterPrecompile = [...(out.afterPrecompile ?? []), ...asList(value)];
    else if (key === "beforePrecompile")
      out.beforePrecompile = [...asList(value).map(scriptLine), ...(out.beforePrecompile ?? [])];
    else if (key === "afterPrecompile")
      out.afterPrecompile = [...asList(value).map(scriptLine), ...(out.afterPrecompile ?? [])];
    else if (key === "targets" && value && typeof value === "object")
      out.targets = value as Record<string, unknown>;
    else if (key === "logrotateBacklog") out.logrotateBacklog = Number(value);
    else if (key === "disableCli") out.disableCli = value === true;
  }
  return out;
}

/** A pkgr `--before-precompile FILE` script as a shell line run in the build dir. */
export const scriptLine = (file: string) => `bash ${JSON.stringify(file)}`;

function envOf(value: unknown, source: string): Record<string, string> {
  if (Array.isArray(value)) return parseEnvWords(value.map(String), source);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? "" : String(v)]));
  }
  return {};
}

/** Reads `.pkgr.yml` from the app dir (none: no options). Bad YAML is `E_INVALID_INPUT`. */
export async function readPkgrYml(appDir: string): Promise<PkgrYmlOptions> {
  const file = join(appDir, ".pkgr.yml");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new DeployKitError("E_INVALID_INPUT", `${file} is not valid YAML: ${(cause as Error).message}`, {
      hint: "Fix the YAML syntax (indentation, quoting) in .pkgr.yml.",
      details: { file },
    });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new DeployKitError("E_INVALID_INPUT", `${file} must be a map of option names to values.`, {
      hint: "Write it like `name: myapp` / `buildpack: https://...`, one option a line.",
      details: { file },
    });
  }
  return pkgrYmlToOptions(doc as Record<string, unknown>, file);
}

/**
 * pkgr's merge rule: options given explicitly (command line / SDK call) override `.pkgr.yml`
 * scalars; lists are unioned (file entries first); `env` maps are merged, explicit values winning.
 */
export function mergePkgrOptions<T extends Partial<BuildOptions>>(
  file: PkgrYmlOptions,
  given: T,
): T & PkgrYmlOptions {
  const merged: Record<string, unknown> = { ...file };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) merged[key] = value;
  for (const key of LIST_KEYS) {
    const union = [...new Set([...(file[key] ?? []), ...(given[key] ?? [])])];
    if (union.length > 0) merged[key] = union;
  }
  if (file.env || given.env) merged.env = { ...file.env, ...given.env };
  return merged as T & PkgrYmlOptions;
}
