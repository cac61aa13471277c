import { join } from "node:path";
import { DeployKitError, hostLayout, type StrategyContext } from "@deploykit/core";
import { assertPortOption } from "../internal/port-option";
import { givenMs, readyTimeout } from "../internal/timing";

/** Options of `pm2()`. */
export interface Pm2Options {
  /** The pm2 app name. */
  name: string;
  /** Entry script relative to the release. Default: from the manifest's `web` process (`node <script>`). */
  script?: string;
  /** Cluster instances. Default 2. */
  instances?: number;
  /** Passed to the app as `PORT`. */
  port?: number;
  /** Health URL; checked on a canary of the new release before the reload, and after it. */
  healthcheck?: string;
  /**
   * Milliseconds for a new instance to send "ready" (pm2's `listen_timeout`) and for health.
   * Default 30 000, or deploy()'s health gate timeout when one was given (see
   * `StrategyContext.readyTimeoutMs`); given both, the shorter applies.
   */
  timeoutMs?: number;
  /** @deprecated Seconds: use `timeoutMs`. Still accepted (converted to ms). */
  timeout?: number;
  /** Milliseconds pm2 gives an old instance after SIGINT (pm2's `kill_timeout`). Default 5000. */
  killTimeoutMs?: number;
  /** @deprecated Use `killTimeoutMs` (the same milliseconds). */
  killTimeout?: number;
  /** The pm2 program. Default `pm2` on the PATH. */
  bin?: string;
  /** `PM2_HOME` for every pm2 call (a private daemon). Default: pm2's own (`~/.pm2`). */
  home?: string;
  /**
   * Boot the new release once as a throwaway pm2 process on a free port before reloading (default
   * true). pm2's reload replaces healthy instances with crashing ones; the canary catches that first.
   */
  canary?: boolean;
}

/** {@link Pm2Options} with defaults applied for one host. */
export interface Pm2Settings {
  name: string;
  script: string;
  instances: number;
  port: number | undefined;
  healthcheck: string | undefined;
  timeoutMs: number;
  killTimeoutMs: number;
  bin: string;
  home: string | undefined;
  canary: boolean;
  ecosystem: string;
  canaryEcosystem: string;
  /** The readiness preload (`node --require`) written next to the ecosystem files. */
  readinessFile: string;
  current: string;
  logFile: string;
}

/** Checks options up front. */
export function checkPm2Options(options: Pm2Options): void {
  if (typeof options?.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(options.name)) {
    throw new DeployKitError("E_INVALID_INPUT", "pm2(): name must be a plain app name.", {
      details: { name: options?.name },
    });
  }
  assertPortOption("pm2", options.port);
  if (options.instances !== undefined && !(Number.isInteger(options.instances) && options.instances >= 1)) {
    throw new DeployKitError("E_INVALID_INPUT", "pm2(): instances must be a whole number of at least 1.");
  }
}

/** Applies defaults relative to the context's host root and release. */
export function pm2Settings(options: Pm2Options, ctx: StrategyContext): Pm2Settings {
  const web = ctx.release.manifest.processes.web?.trim().split(/\s+/);
  const script = options.script ?? (web?.[0] === "node" ? web[1] : undefined);
  if (!script) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      "pm2(): no script given and the web process is not `node <script>`.",
      {
        hint: 'Pass pm2({ name, script: "server.js" }).',
      },
    );
  }
  const layout = hostLayout(ctx.root);
  return {
    name: options.name,
    script,
    instances: options.instances ?? 2,
    port: options.port,
    healthcheck: options.healthcheck,
    timeoutMs: readyTimeout(ctx, givenMs(options.timeoutMs, options.timeout), 30_000),
    killTimeoutMs: options.killTimeoutMs ?? options.killTimeout ?? 5_000,
    bin: options.bin ?? "pm2",
    home: options.home,
    canary: options.canary ?? true,
    ecosystem: join(layout.shared, "tmp", `deploykit-pm2-${options.name}.json`),
    canaryEcosystem: join(layout.shared, "tmp", `deploykit-pm2-${options.name}-canary.json`),
    readinessFile: join(layout.shared, "tmp", "deploykit-readiness.cjs"),
    current: layout.current,
    logFile: join(layout.logs, `${options.name}.log`),
  };
}
