import { dirname } from "node:path";
import { assertAppName, assertVersion, DeployKitError, isDeployKitError } from "@deploykit/core";
import type { ConfigFile } from "./config";
import { UsageError } from "./usage";

/**
 * One command's options: a flag wins over the config file's key of the same (SDK) name.
 * Values are type-checked when read, naming the flag or the config file in the error.
 */
export class Settings {
  readonly #flags: Record<string, unknown>;
  readonly #config: ConfigFile;
  readonly #command: string;

  constructor(command: string, flags: Record<string, unknown>, config: ConfigFile) {
    this.#command = command;
    this.#flags = flags;
    this.#config = config;
  }

  /** The config file's raw value for `key` (for structured keys such as `strategy`). */
  config(key: string): unknown {
    return this.#config.values[key];
  }

  /** Where the config came from, for messages. */
  get configPath(): string | undefined {
    return this.#config.path;
  }

  /** Where `key`'s value comes from, for messages: the `DEPLOYKIT_*` variable or the config file. */
  #source(key: string): string | undefined {
    return this.#config.fromEnv?.[key] ?? this.#config.path;
  }

  /**
   * The directory a relative path in `key` is resolved against: the working directory for a
   * flag or a `DEPLOYKIT_*` variable, the config file's own directory for a value from the file
   * (which may have been found in a directory above).
   */
  baseDir(key: string, cwd: string): string {
    const flag = this.#flags[key];
    if ((typeof flag === "string" && flag !== "") || this.#config.fromEnv?.[key] || !this.#config.path)
      return cwd;
    return this.#config.values[key] === undefined ? cwd : dirname(this.#config.path);
  }

  #configValue<T>(key: string, type: "string" | "number" | "boolean"): T | undefined {
    const value = this.#config.values[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== type) {
      throw new DeployKitError("E_INVALID_INPUT", `${this.#source(key)}: "${key}" must be a ${type}.`, {
        hint: `Set ${key} to a ${type} in the config file.`,
      });
    }
    return value as T;
  }

  /** A flag's own value (non-empty string), ignoring the config file. */
  flag(key: string): string | undefined {
    const flag = this.#flags[key];
    return typeof flag === "string" && flag !== "" ? flag : undefined;
  }

  /** A string option; an empty flag value counts as not given. */
  string(key: string): string | undefined {
    const flag = this.#flags[key];
    if (typeof flag === "string" && flag !== "") return flag;
    return this.#configValue<string>(key, "string");
  }

  /** A string option that must be set by a flag or the config file. @throws {@link UsageError} */
  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined) {
      throw new UsageError(
        `\`deploykit ${this.#command}\` needs --${kebab(key)} (or "${key}" in the config file).`,
        `Run \`deploykit ${this.#command} --help\` for its flags.`,
      );
    }
    return value;
  }

  /**
   * A list option: the flag `flagName` as a comma-separated value, else the config's array of
   * strings under `key`.
   */
  list(key: string, flagName: string): string[] | undefined {
    const flag = this.flag(flagName);
    if (flag !== undefined) return flag.split(",").filter(Boolean);
    const value = this.#config.values[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw new DeployKitError(
        "E_INVALID_INPUT",
        `${this.#config.path}: "${key}" must be a list of strings.`,
        {
          hint: `Write ${key} as a YAML/JSON list.`,
        },
      );
    }
    return value;
  }

  /** A non-negative integer option. @throws {@link UsageError} for a malformed flag value */
  integer(key: string): number | undefined {
    const flag = this.#flags[key];
    if (typeof flag === "string" && flag !== "") {
      if (!/^\d+$/.test(flag)) throw new UsageError(`--${kebab(key)} must be a whole number, not "${flag}".`);
      return Number(flag);
    }
    return this.#configValue<number>(key, "number");
  }

  /**
   * The version flag (never a config key), checked with core's `assertVersion` before anything
   * runs: a malformed one (`--version v2`) is a usage error (exit 2) carrying `E_INVALID_VERSION`.
   */
  version(key = "version"): string | undefined {
    return checked(this.flag(key), assertVersion);
  }

  /** The app name (`--app` or the config's `app`), required, checked with core's `assertAppName`. */
  requiredApp(): string {
    return checked(this.requiredString("app"), assertAppName) as string;
  }

  /** A boolean option (a flag given as `--x` or `--no-x` wins). */
  boolean(key: string): boolean | undefined {
    const flag = this.#flags[key];
    if (typeof flag === "boolean") return flag;
    return this.#configValue<boolean>(key, "boolean");
  }
}

/** `pidFile` → `pid-file`. */
export const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Runs an SDK check on a value from the command line; its failure is a usage error (exit 2). */
function checked(value: string | undefined, check: (value: string) => void): string | undefined {
  if (value === undefined) return undefined;
  try {
    check(value);
  } catch (error) {
    if (isDeployKitError(error)) throw new UsageError(error.message, error.hint, error.code);
    throw error;
  }
  return value;
}
