import { isAbsolute, resolve } from "node:path";
import type { Settings } from "./settings";

/** `--lock-timeout-ms` / the config's `lockTimeoutMs`, for every command that takes the root's lock. */
export function lockFromSettings(settings: Settings): { lockTimeoutMs?: number } {
  const lockTimeoutMs = settings.integer("lockTimeoutMs");
  return lockTimeoutMs !== undefined ? { lockTimeoutMs } : {};
}

/** The host root from `--root` or the config's `root`, resolved against the working directory. */
export function rootFromSettings(settings: Settings, cwd: string): string {
  const root = settings.requiredString("root");
  return isAbsolute(root) ? root : resolve(cwd, root);
}

/**
 * Which release: `--version`, else `--channel`, else the config's `channel`
 * (a version on the command line wins over a channel in the config file).
 */
export function selectorFromSettings(settings: Settings): { version?: string; channel?: string } {
  const version = settings.flag("version");
  const channel =
    settings.flag("channel") ?? (version === undefined ? settings.string("channel") : undefined);
  return {
    ...(version !== undefined ? { version } : {}),
    ...(channel !== undefined ? { channel } : {}),
  };
}

/**
 * What install and deploy read alike: the release selector, `--keep`, `--shared-dirs`,
 * `--lock-timeout-ms` and `--adopt-legacy`.
 */
export function installFromSettings(settings: Settings): {
  version?: string;
  channel?: string;
  keep?: number;
  sharedDirs?: string[];
  lockTimeoutMs?: number;
  adoptLegacyCurrent?: boolean;
} {
  const keep = settings.integer("keep");
  const sharedDirs = settings.list("sharedDirs", "sharedDirs");
  return {
    ...selectorFromSettings(settings),
    ...(keep !== undefined ? { keep } : {}),
    ...(sharedDirs ? { sharedDirs } : {}),
    ...lockFromSettings(settings),
    ...(settings.boolean("adoptLegacy") ? { adoptLegacyCurrent: true } : {}),
  };
}
