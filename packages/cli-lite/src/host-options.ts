import { isAbsolute, resolve } from "node:path";
import { type ArtifactTransfer, assertDirectory, type HostConnection, sshHost } from "@deploykit/core";
import type { Settings } from "./settings";
import { UsageError } from "./usage";

/** `--lock-timeout-ms` / the config's `lockTimeoutMs`, for every command that takes the root's lock. */
export function lockFromSettings(settings: Settings): { lockTimeoutMs?: number } {
  const lockTimeoutMs = settings.integer("lockTimeoutMs");
  return lockTimeoutMs !== undefined ? { lockTimeoutMs } : {};
}

/**
 * The host root from `--root` or the config's `root`, checked before anything runs. With `--host`
 * it is a path on the server and must be absolute (the SDK call checks it there). Otherwise it is
 * resolved against the working directory and must not be a file; with `mustExist` (commands that
 * only read or switch: releases, rollback, restart, status...) it must exist, so a typo is not an
 * empty host.
 *
 * @throws {@link UsageError}; `DeployKitError` `E_NOT_FOUND`, `E_NOT_A_DIRECTORY`
 */
export async function rootFromSettings(
  settings: Settings,
  cwd: string,
  options: { mustExist?: boolean } = {},
): Promise<string> {
  const given = settings.requiredString("root");
  if (settings.string("host") !== undefined) {
    if (!isAbsolute(given)) {
      throw new UsageError(
        `With --host, --root is a path on the server and must be absolute (got "${given}").`,
      );
    }
    return given;
  }
  const root = isAbsolute(given) ? given : resolve(settings.baseDir("root", cwd), given);
  await assertDirectory(root, {
    what: "The host root",
    mustExist: options.mustExist === true,
    hint: "Check --root (or root in the config): the directory holding releases/ and current.",
  });
  return root;
}

/**
 * `--host user@server[:port]` (config: `host`) as an SSH connection (with `--ssh-config`), or
 * undefined for this machine. The caller closes it.
 */
export function hostFromSettings(settings: Settings, cwd: string): HostConnection | undefined {
  const spec = settings.string("host");
  if (spec === undefined) return undefined;
  const parts = /^(?:([^@\s]+)@)?([^@\s:]+)(?::(\d+))?$/.exec(spec);
  if (!parts?.[2])
    throw new UsageError(`--host must look like user@server or user@server:port (got "${spec}").`);
  const sshConfig = settings.string("sshConfig");
  const sudo = settings.string("sudoUser") ?? settings.boolean("sudo");
  return sshHost({
    ...(sudo ? { sudo } : {}),
    host: parts[2],
    ...(parts[1] ? { user: parts[1] } : {}),
    ...(parts[3] ? { port: Number(parts[3]) } : {}),
    ...(sshConfig ? { sshConfig: resolve(cwd, sshConfig) } : {}),
  });
}

/** Runs `work` with the `--host` connection (if any) and closes it after. */
export async function withHostFromSettings<T>(
  settings: Settings,
  cwd: string,
  work: (host: { host?: HostConnection }) => Promise<T>,
): Promise<T> {
  const host = hostFromSettings(settings, cwd);
  try {
    return await work(host ? { host } : {});
  } finally {
    await host?.close();
  }
}

/**
 * Which release: `--version`, else `--channel`, else the config's `channel`
 * (a version on the command line wins over a channel in the config file).
 */
export function selectorFromSettings(settings: Settings): { version?: string; channel?: string } {
  const version = settings.version();
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
  transfer?: ArtifactTransfer;
} {
  const keep = settings.integer("keep");
  const sharedDirs = settings.list("sharedDirs", "sharedDirs");
  const transfer = settings.string("transfer");
  if (transfer !== undefined && transfer !== "stream" && transfer !== "presigned-url")
    throw new UsageError(`--transfer is stream or presigned-url, not "${transfer}".`);
  return {
    ...selectorFromSettings(settings),
    ...(transfer !== undefined ? { transfer } : {}),
    ...(keep !== undefined ? { keep } : {}),
    ...(sharedDirs ? { sharedDirs } : {}),
    ...lockFromSettings(settings),
    ...(settings.boolean("adoptLegacy") ? { adoptLegacyCurrent: true } : {}),
  };
}
