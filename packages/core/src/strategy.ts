import type { HostConnection } from "./connection/connection";
import type { EventSink } from "./events";
import type { ReleaseManifest } from "./manifest";
import type { Ports } from "./ports";

/** A release as it sits on a host. */
export interface HostRelease {
  version: string;
  /** Absolute path of `releases/<version>` (for .deb installs: the package's home). */
  dir: string;
  /** The manifest the release was installed from. */
  manifest: ReleaseManifest;
}

/**
 * Everything a strategy needs to restart an app, with every port filled in. The ports act on
 * {@link StrategyContext.host}: with an SSH host, `runner` runs commands on the server,
 * `processes` signals and reads pid files there, and `probe` reaches URLs from the server's
 * side. A strategy that acts only through them (and `host` for files) works on any host.
 */
export interface StrategyContext extends Ports {
  /**
   * The host the app runs on: `localHost()` (this machine) or `sshHost(...)`. Files the
   * strategy writes or reads (pid files, logs, config) go through it; paths are the host's.
   */
  host: HostConnection;
  app: string;
  /** The host root (holds `current`, `shared/`, `.deploykit/`). */
  root: string;
  /** The release that is live now (what `current` points at). */
  release: HostRelease;
  /** The release that was live before, when there was one. */
  previous?: HostRelease;
  /** Extra environment for the processes the strategy starts. */
  env: Record<string, string>;
  /**
   * How long, in ms, the caller lets the strategy wait for the new release to come up (its
   * start or readiness wait), when the user said so: `deploy()` and `rollback()` pass their health
   * gate's `timeoutMs` here when it was given (the CLI's `--healthcheck-timeout`, in seconds
   * there). The built-in strategies then use it instead of their own default start timeout (e.g.
   * `process()`'s 30 000 ms), and a start timeout given to the strategy itself applies only when
   * it is shorter. Waits for an old process to stop are not bounded by it. Undefined: the
   * strategy's own timeout.
   */
  readyTimeoutMs?: number;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/**
 * What {@link restart} takes: a {@link StrategyContext} whose ports may be left to defaults
 * (the real ones acting on `host`), and whose `host` defaults to `localHost()`.
 */
export type RestartContext = Omit<StrategyContext, keyof Ports | "env" | "host"> &
  Partial<Ports> & { env?: Record<string, string>; host?: HostConnection };

/** What a strategy reports after a restart. */
export interface RestartResult {
  /** The strategy's name. */
  strategy: string;
  /** Pids now serving, when the strategy knows them. */
  pids?: number[];
  /** Anything else worth reporting (old pid, signals sent...). */
  details?: Record<string, unknown>;
}

/** What a strategy reports about the processes it manages. */
export interface StrategyStatus {
  running: boolean;
  pids?: number[];
  details?: Record<string, unknown>;
}

/**
 * How one kind of app is restarted (unicorn, sidekiq, a pid-file process...). Implement it,
 * or use `defineStrategy` from `@deploykit/runtimes`, to add a runtime.
 *
 * Contract: `restart` resolves only when the new release is serving (readiness observed,
 * never slept), and rejects with `E_RESTART_FAILED` when it is not, leaving the old release
 * serving where the runtime allows it.
 */
export interface RuntimeStrategy {
  /** A short name for events and results (`unicorn`, `process`...). */
  readonly name: string;
  /**
   * Checks, before `current` is switched to `ctx.release` (unpacked, not live yet), that the
   * restart can work — e.g. that the app's port is free or served by the process the strategy
   * tracks. Throwing (e.g. `E_PORT_IN_USE`) stops `deploy()` with nothing switched or restarted.
   */
  preflight?(ctx: StrategyContext): Promise<void>;
  /** Brings the live release (ctx.release) up, replacing whatever ran before. */
  restart(ctx: StrategyContext): Promise<RestartResult>;
  /** Reports whether the app runs. */
  status?(ctx: StrategyContext): Promise<StrategyStatus>;
  /**
   * The URL the strategy's own health check GETs, when it has one: without a healthcheck URL of
   * its own, `deploy()`'s gate checks through it that the new release is what answers.
   */
  readonly healthcheckUrl?: string;
  /** The strategy's own health check, used by `deploy()` when no healthcheck URL is given. */
  healthcheck?(ctx: StrategyContext): Promise<void>;
  /** Stops the app. */
  stop?(ctx: StrategyContext): Promise<void>;
  /**
   * The strategy's options as plain JSON, e.g. `{ strategy: "process", port: 5000 }` (what
   * `createStrategy` from `@deploykit/runtimes` was given). `deploy()` and `rollback()` record
   * them with the release they brought up healthy (`state.json`, `startedWith`),
   * so that an automatic rollback restarts the old release as it ran, through
   * {@link RuntimeStrategy.withSettings}, not with the options of the deploy that failed.
   */
  readonly settings?: Readonly<Record<string, unknown>>;
  /**
   * The same kind of strategy built from {@link RuntimeStrategy.settings} recorded earlier.
   * Without it (or without recorded settings) an automatic rollback restarts the old release
   * with this strategy as it is.
   */
  withSettings?(settings: Readonly<Record<string, unknown>>): RuntimeStrategy;
}
