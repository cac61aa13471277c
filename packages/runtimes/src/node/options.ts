import { join } from "node:path";
import { DeployKitError, hostLayout, type StrategyContext } from "@deploykit/core";
import { assertPortOption } from "../internal/port-option";
import { givenMs, readyTimeout } from "../internal/timing";

/** Options of `node()`. */
export interface NodeOptions {
  /**
   * The app's entry script, relative to the release (e.g. `server.js`). Default: taken from the
   * manifest's `web` process when it reads `node <script> [args]`.
   */
  script?: string;
  /** Arguments for the script. */
  args?: string[];
  /** Worker processes. Default 2. */
  workers?: number;
  /** Passed to the app as `PORT`. */
  port?: number;
  /**
   * A URL that must answer 2xx after the switch; also the strategy's own health check. Each new
   * worker must also pass it (its path, through a private loopback door) before it joins the
   * shared socket and the old workers retire. Without it, a new worker must answer `GET /` below 500.
   */
  healthcheck?: string;
  /**
   * Milliseconds a new worker may take to be ready (and the health check to pass). Default
   * 30 000, or deploy()'s health gate timeout when one was given (see
   * `StrategyContext.readyTimeoutMs`); given both, the shorter applies.
   */
  timeoutMs?: number;
  /** @deprecated Seconds: use `timeoutMs`. Still accepted (converted to ms). */
  timeout?: number;
  /** Milliseconds a retired worker may take to finish open requests before it is KILLed. Default 5000. */
  killTimeoutMs?: number;
  /** @deprecated Use `killTimeoutMs` (the same milliseconds). */
  killTimeout?: number;
  /** Ready = the worker called `process.send("ready")` (like pm2's wait_ready) instead of `listening`. */
  waitReady?: boolean;
  /** The launcher's pid file. Default `<root>/shared/tmp/pids/node.pid`. */
  pidFile?: string;
  /** Log file. Default `<root>/shared/log/node.log`. */
  logFile?: string;
}

/** {@link NodeOptions} with defaults applied for one host. */
export interface NodeSettings {
  script: string;
  args: string[];
  workers: number;
  port: number | undefined;
  healthcheck: string | undefined;
  timeoutMs: number;
  killTimeoutMs: number;
  waitReady: boolean;
  pidFile: string;
  stateFile: string;
  /** Where each restart tells the running launcher its ready timeout (`{ readyTimeoutMs }`). */
  requestFile: string;
  launcherFile: string;
  logFile: string;
  root: string;
  current: string;
}

/** Checks options up front. */
export function checkNodeOptions(options: NodeOptions): void {
  assertPortOption("node", options.port);
  if (options.workers !== undefined && !(Number.isInteger(options.workers) && options.workers >= 1)) {
    throw new DeployKitError("E_INVALID_INPUT", "node(): workers must be a whole number of at least 1.");
  }
  for (const key of ["timeoutMs", "timeout", "killTimeoutMs", "killTimeout"] as const) {
    const value = options[key];
    if (value !== undefined && !(value > 0))
      throw new DeployKitError("E_INVALID_INPUT", `node(): ${key} must be positive.`);
  }
}

/** The script and args of a `node <script> [args]` Procfile command, if it is one. */
function fromProcfile(command: string | undefined): { script: string; args: string[] } | undefined {
  const words = command?.trim().split(/\s+/);
  if (words?.[0] !== "node" || !words[1] || words[1].startsWith("-")) return undefined;
  return { script: words[1], args: words.slice(2) };
}

/** Applies defaults relative to the context's host root and release. */
export function nodeSettings(options: NodeOptions, ctx: StrategyContext): NodeSettings {
  const entry = options.script
    ? { script: options.script, args: options.args ?? [] }
    : fromProcfile(ctx.release.manifest.processes.web);
  if (!entry) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      "node(): no script given and the web process is not `node <script>`.",
      {
        hint: 'Pass node({ script: "server.js" }).',
        details: { web: ctx.release.manifest.processes.web },
      },
    );
  }
  const layout = hostLayout(ctx.root);
  const pidFile = options.pidFile ?? join(layout.pids, "node.pid");
  return {
    ...entry,
    workers: options.workers ?? 2,
    port: options.port,
    healthcheck: options.healthcheck,
    timeoutMs: readyTimeout(ctx, givenMs(options.timeoutMs, options.timeout), 30_000),
    killTimeoutMs: options.killTimeoutMs ?? options.killTimeout ?? 5_000,
    waitReady: options.waitReady ?? false,
    pidFile,
    stateFile: `${pidFile}.state.json`,
    requestFile: `${pidFile}.request.json`,
    launcherFile: join(layout.shared, "tmp", "deploykit-node-launcher.cjs"),
    logFile: options.logFile ?? join(layout.logs, "node.log"),
    root: layout.root,
    current: layout.current,
  };
}
