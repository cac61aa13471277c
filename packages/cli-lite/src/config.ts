import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DeployKitError, didYouMean } from "@deploykit/core";
import { lilconfig } from "lilconfig";
import { parse } from "yaml";

/** File names looked up in the working directory and then each one above it, in this order, when `--config` is not given. */
export const CONFIG_FILES = [
  "deploykit.config.json",
  "deploykit.config.yml",
  "deploykit.config.yaml",
  ".deploykit.yml",
];

/** Keys a config file may set: the SDK option names the commands take. */
export const CONFIG_KEYS = [
  "store",
  "endpoint",
  "region",
  "forcePathStyle",
  "app",
  "channel",
  "root",
  "host",
  "sshConfig",
  "sudo",
  "sudoUser",
  "transfer",
  "keep",
  "sharedDirs",
  "lockTimeoutMs",
  "strategy",
  "healthcheck",
  "env",
  "format",
  "outDir",
  "buildpacks",
  "stack",
  "buildpackVendorUrl",
  "compileCacheDir",
  "vendorUrl",
  "layout",
  "trustedKeys",
  "requireSignature",
  "signKey",
  "secretKey",
  "publicKey",
  "inventory",
  "batchSize",
  "maxFailures",
  "maxUnavailable",
  "canary",
  "onFailure",
  "uploadConcurrency",
] as const;

/** Config keys whose `DEPLOYKIT_*` variable is read as a number, a boolean or a comma-separated list. */
const ENV_TYPES: Partial<Record<(typeof CONFIG_KEYS)[number], "number" | "boolean" | "list">> = {
  keep: "number",
  canary: "number",
  uploadConcurrency: "number",
  forcePathStyle: "boolean",
  sudo: "boolean",
  sharedDirs: "list",
  buildpacks: "list",
};

/** Structured keys that only a config file can set. */
const FILE_ONLY = new Set(["env", "layout"]);

/** `forcePathStyle` → `DEPLOYKIT_FORCE_PATH_STYLE`. */
export const envName = (key: string) => `DEPLOYKIT_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** A loaded config: its values by key, where the file came from, and which keys the environment set. */
export interface ConfigFile {
  /** Absolute path of the file, or `undefined` when no file was found. */
  path?: string;
  values: Record<string, unknown>;
  /** Keys set by a `DEPLOYKIT_*` variable (they win over the file), with the variable's name. */
  fromEnv?: Record<string, string>;
}

const invalid = (path: string, message: string, meant = "") =>
  new DeployKitError("E_INVALID_INPUT", `${path}: ${message}`, {
    hint: `${meant}Fix the config file; its keys are the SDK option names: ${CONFIG_KEYS.join(", ")}.`,
    details: { path },
  });

/** JSON and YAML alike, through the yaml parser (JSON is YAML). */
function parseConfig(path: string, text: string): Record<string, unknown> {
  let values: unknown;
  try {
    values = parse(text);
  } catch (error) {
    throw invalid(path, `not valid YAML/JSON (${(error as Error).message.split("\n")[0]})`);
  }
  if (values === null || values === undefined) return {};
  if (typeof values !== "object" || Array.isArray(values)) throw invalid(path, "must be a mapping of keys");
  const unknown = Object.keys(values).filter((key) => !(CONFIG_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    const meant = unknown.map((key) => didYouMean(key, CONFIG_KEYS)).join("");
    throw invalid(path, `unknown key(s) ${unknown.join(", ")}`, meant);
  }
  return values as Record<string, unknown>;
}

/** The `DEPLOYKIT_*` overrides, typed by key. @throws `E_INVALID_INPUT` for a malformed number or boolean */
function envOverrides(env: NodeJS.ProcessEnv): {
  values: Record<string, unknown>;
  fromEnv: Record<string, string>;
} {
  const values: Record<string, unknown> = {};
  const fromEnv: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    const name = envName(key);
    const raw = env[name];
    if (raw === undefined || raw === "" || FILE_ONLY.has(key)) continue;
    const type = ENV_TYPES[key];
    let value: unknown = raw;
    if (type === "number") {
      if (!/^\d+$/.test(raw)) throw invalidEnv(name, raw, "a whole number");
      value = Number(raw);
    } else if (type === "boolean") {
      if (!/^(1|0|true|false)$/i.test(raw)) throw invalidEnv(name, raw, "true, false, 1 or 0");
      value = /^(1|true)$/i.test(raw);
    } else if (type === "list") value = raw.split(",").filter(Boolean);
    values[key] = value;
    fromEnv[key] = name;
  }
  return { values, fromEnv };
}

const invalidEnv = (name: string, raw: string, expected: string) =>
  new DeployKitError("E_INVALID_INPUT", `${name}="${raw}" must be ${expected}.`, {
    hint: `Fix or unset ${name}.`,
    details: { variable: name },
  });

/**
 * Loads the config: `explicit` (which must exist), else the first of {@link CONFIG_FILES} found
 * in `cwd` or the nearest directory above it (searched with lilconfig, like eslint or
 * prettier find theirs, up to the home directory). Then `DEPLOYKIT_<KEY>` environment
 * variables (`DEPLOYKIT_STORE`, `DEPLOYKIT_FORCE_PATH_STYLE`...) override the file's keys;
 * command-line flags override both. JSON and YAML are both read with the yaml parser. Unknown
 * keys are refused, so a typo never goes unnoticed.
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT`
 */
export async function loadConfig(
  cwd: string,
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConfigFile> {
  const file = explicit ? await loadExplicit(resolve(cwd, explicit)) : await search(cwd);
  const overrides = envOverrides(env);
  return {
    ...(file?.path ? { path: file.path } : {}),
    values: { ...file?.values, ...overrides.values },
    ...(Object.keys(overrides.fromEnv).length ? { fromEnv: overrides.fromEnv } : {}),
  };
}

async function loadExplicit(path: string): Promise<{ path: string; values: Record<string, unknown> }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw new DeployKitError("E_INVALID_INPUT", `The config file ${path} does not exist.`, {
      hint: "Check the --config path.",
    });
  }
  return { path, values: parseConfig(path, text) };
}

async function search(cwd: string): Promise<{ path: string; values: Record<string, unknown> } | undefined> {
  const loader = (path: string, text: string) => parseConfig(path, text);
  const found = await lilconfig("deploykit", {
    searchPlaces: [...CONFIG_FILES],
    loaders: { ".json": loader, ".yml": loader, ".yaml": loader },
    ignoreEmptySearchPlaces: false,
    cache: false,
  }).search(cwd);
  return found
    ? { path: found.filepath, values: (found.config as Record<string, unknown> | null) ?? {} }
    : undefined;
}
