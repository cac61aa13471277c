import { isAbsolute, resolve } from "node:path";
import type { HostConnection } from "../connection/connection";
import { resolveHostPorts } from "../connection/host-ports";
import { localHost } from "../connection/local-host";
import { DeployKitError } from "../errors";
import type { EventSink, OperationOptions } from "../events";
import type { Ports } from "../ports";
import { type HostLayout, hostLayout } from "./layout";
import { assertSharedDirs, DEFAULT_SHARED_DIRS } from "./shared-dirs";

/** Settings of a host root that install, deploy, rollback and restart share. */
export interface HostOptions extends OperationOptions, Partial<Ports> {
  /** The host root holding `releases/`, `current`, `shared/` and `.deploykit/`. */
  root: string;
  /**
   * Releases to keep on disk in total (and artifacts in the cache): the live one, then those plain
   * rollbacks go to, then the newest (see `prune`). An install also keeps the release live before
   * it (its health gate's fallback) and releases a live process uses. Default 5.
   */
  keep?: number;
  /** Dirs under `shared/` linked into each release. Default `["log", "tmp/pids"]`. */
  sharedDirs?: string[];
  /**
   * How long to wait for another deploy's lock on this root, in ms. Default 0: refuse at once
   * with `E_LOCKED`.
   */
  lockTimeoutMs?: number;
  /**
   * Move a `current` that is a real directory (left by an older deploy tool, e.g. a `git pull`
   * checkout) aside to `releases/legacy-<timestamp>` instead of refusing with `E_HOST_STATE`.
   * Default false.
   */
  adoptLegacyCurrent?: boolean;
  /**
   * The host the root is on: `localHost()` (default, this machine) or `sshHost({ ... })`. Over
   * SSH, `root` must be absolute (the server's path); `install`, `deploy`, `rollback`,
   * `restartLive`, `status`, `inspectLock`, `listInstalled` and `liveRelease` all work remotely,
   * `.tgz` and `.deb` releases alike (a `.deb` through the server's dpkg, as root or with
   * `sudo`), and the strategy acts on the server through its context (`ctx.host` and the ports
   * bound to it). The caller owns the connection: `close()` it when done.
   */
  host?: HostConnection;
}

/** Validated, normalised host settings: what every host operation runs on. */
export interface HostPlan extends OperationOptions {
  layout: HostLayout;
  ports: Ports;
  keep: number;
  sharedDirs: string[];
  lockTimeoutMs: number;
  adoptLegacyCurrent: boolean;
  host: HostConnection;
}

const wholeNumber = (name: string, value: number, min: number, hint: string) => {
  if (!Number.isInteger(value) || value < min) {
    throw new DeployKitError("E_INVALID_INPUT", `${name} must be a whole number >= ${min} (got ${value}).`, {
      hint,
    });
  }
};

/** Checks and normalises {@link HostOptions} before anything is written. @throws `E_INVALID_INPUT` */
export function planHost(options: HostOptions): HostPlan {
  const keep = options.keep ?? 5;
  wholeNumber("keep", keep, 1, "It counts the live release, which is always kept.");
  const lockTimeoutMs = options.lockTimeoutMs ?? 0;
  wholeNumber(
    "lockTimeoutMs",
    lockTimeoutMs,
    0,
    "Milliseconds to wait for another deploy; 0 refuses at once.",
  );
  const sharedDirs = options.sharedDirs ?? DEFAULT_SHARED_DIRS;
  assertSharedDirs(sharedDirs);
  const host = options.host ?? localHost();
  if (host.kind !== "local" && !isAbsolute(options.root)) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `root must be an absolute path on ${host.name} (got "${options.root}").`,
      {
        hint: "Give the host root as it is on the server, e.g. /srv/web.",
      },
    );
  }
  return {
    host,
    layout: hostLayout(resolve(options.root)),
    ports: resolveHostPorts(options, host),
    keep,
    sharedDirs,
    lockTimeoutMs,
    adoptLegacyCurrent: options.adoptLegacyCurrent === true,
    ...(options.onEvent ? { onEvent: hostEvents(options.onEvent, host) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** Stamps a remote host's name on every event (`--json` lines name their host). */
const hostEvents = (onEvent: EventSink, host: HostConnection): EventSink =>
  host.kind === "local" ? onEvent : (event) => onEvent({ ...event, host: host.name });
