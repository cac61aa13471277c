import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DeployKitError } from "@deploykit/core";
import { parse } from "yaml";

/** File names looked up in the working directory, in this order, when `--config` is not given. */
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
] as const;

/** A loaded config file: its values by key, and where it came from (for error messages). */
export interface ConfigFile {
  /** Absolute path, or `undefined` when no file was found. */
  path?: string;
  values: Record<string, unknown>;
}

const invalid = (path: string, message: string) =>
  new DeployKitError("E_INVALID_INPUT", `${path}: ${message}`, {
    hint: `Fix the config file; its keys are the SDK option names: ${CONFIG_KEYS.join(", ")}.`,
    details: { path },
  });

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Loads `explicit` (which must exist) or the first of {@link CONFIG_FILES} found in `cwd`.
 * JSON and YAML are both read with the yaml parser. Unknown keys are refused, so a typo never
 * goes unnoticed.
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT`
 */
export async function loadConfig(cwd: string, explicit?: string): Promise<ConfigFile> {
  const candidates = explicit ? [resolve(cwd, explicit)] : CONFIG_FILES.map((name) => join(cwd, name));
  for (const path of candidates) {
    const text = await readIfExists(path);
    if (text === undefined) continue;
    let values: unknown;
    try {
      values = parse(text);
    } catch (error) {
      throw invalid(path, `not valid YAML/JSON (${(error as Error).message.split("\n")[0]})`);
    }
    if (values === null || values === undefined) return { path, values: {} };
    if (typeof values !== "object" || Array.isArray(values)) throw invalid(path, "must be a mapping of keys");
    const unknown = Object.keys(values).filter((key) => !(CONFIG_KEYS as readonly string[]).includes(key));
    if (unknown.length > 0) throw invalid(path, `unknown key(s) ${unknown.join(", ")}`);
    return { path, values: values as Record<string, unknown> };
  }
  if (explicit) {
    throw new DeployKitError("E_INVALID_INPUT", `The config file ${candidates[0]} does not exist.`, {
      hint: "Check the --config path.",
    });
  }
  return { values: {} };
}
