import { DeployKitError, throwIfAborted } from "./errors";
import type { EventSink } from "./events";
import type { Clock } from "./ports/clock";
import type { HttpProbe } from "./ports/http-probe";
import { waitUntil } from "./wait";

/** How `deploy()` decides the new release is healthy. */
export interface HealthcheckOptions {
  /** URL to GET, e.g. `http://127.0.0.1:3000/health`. */
  url: string;
  /**
   * Give up after this long in total, in ms (default 30 000). When given, it also bounds the
   * strategy's wait for the new release to come up, in place of the strategy's own default start
   * timeout (`StrategyContext.readyTimeoutMs`): a release that starts but never answers fails the
   * deploy after about this long, not after the strategy's default.
   */
  timeoutMs?: number;
  /** Pause between attempts, in ms (default 250). */
  intervalMs?: number;
  /** Timeout of each request, in ms (default 2 000). */
  requestTimeoutMs?: number;
  /** The body must contain this text (e.g. the new version) or match this pattern. */
  expectBody?: string | RegExp;
  /**
   * A response header the app sets to its release version (e.g. `X-Release`). When set and
   * present, it alone tells which release answered; else the body's version, else the
   * listening socket's owner in `/proc` (see `verifyRelease`).
   */
  versionHeader?: string;
  /**
   * Whether the gate proves that the new release answers (default true): a 2xx answer that
   * names another installed release (header, body) or comes from a process running from another
   * release of the root fails the gate about 1 s after the first such answer, with
   * `E_HEALTHCHECK` saying what answered. False turns the check off.
   */
  verifyRelease?: boolean;
}

/**
 * Normalises a URL string or options into {@link HealthcheckOptions}. Throws `E_INVALID_INPUT`
 * for a URL that is not http(s) or a `timeoutMs` that is not a positive number of ms.
 */
export function healthcheckOptions(check: string | HealthcheckOptions): HealthcheckOptions {
  const options = typeof check === "string" ? { url: check } : check;
  const { timeoutMs } = options;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `The healthcheck timeout must be a positive number of ms (got ${timeoutMs}).`,
      { hint: "e.g. healthcheck: { url, timeoutMs: 30000 }, or --healthcheck-timeout 30 (seconds)" },
    );
  }
  if (!/^https?:\/\//.test(options.url)) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `Healthcheck URL "${options.url}" must start with http:// or https://.`,
      {
        hint: "e.g. --healthcheck http://127.0.0.1:3000/health",
      },
    );
  }
  return options;
}

/** What one health probe saw. */
export interface ProbeOutcome {
  /** A 2xx answer (with the expected body, when one was asked for). */
  ok: boolean;
  /** The HTTP status; undefined when no answer came (refused, reset, timed out). */
  status?: number;
  /** The response body ("" without an answer). */
  body: string;
  /** Response headers (lower-case names) when the probe reports them. */
  headers?: Record<string, string | string[] | undefined>;
  /** For reports: `HTTP 200: ok 2.0.0`, `HTTP 503: …`, or the connection error (`connect ECONNREFUSED 127.0.0.1:6000`). */
  seen: string;
}

/**
 * GETs `url` once through `probe`: the one health probe core's gate and every runtime strategy
 * use. Never rejects for an app that does not answer (that is `ok: false` with the real error in
 * `seen`); rejects only with `E_ABORTED` when `signal` is aborted.
 */
export async function probeHealth(
  probe: HttpProbe,
  url: string,
  options: { timeoutMs?: number; signal?: AbortSignal | undefined; expectBody?: string | RegExp } = {},
): Promise<ProbeOutcome> {
  const { timeoutMs = 2_000, signal, expectBody } = options;
  try {
    const { status, body, headers } = await probe.get(url, { timeoutMs, ...(signal ? { signal } : {}) });
    const bodyOk =
      expectBody === undefined ||
      (typeof expectBody === "string" ? body.includes(expectBody) : expectBody.test(body));
    const ok = status >= 200 && status < 300 && bodyOk;
    const shown = body.trim().slice(0, 200);
    const seen = `HTTP ${status}${bodyOk ? "" : `, body without ${String(expectBody)}`}${shown ? `: ${shown}` : ""}`;
    return { ok, status, body, seen, ...(headers ? { headers } : {}) };
  } catch (error) {
    throwIfAborted(signal);
    const cause = (error as { cause?: { message?: string } })?.cause?.message;
    return { ok: false, body: "", seen: cause ?? String((error as Error)?.message ?? error) };
  }
}

/** How long wrong-release answers must go on, with no right one, before the gate fails (ms). */
const WRONG_FOR_MS = 1_000;

/**
 * Polls a URL until it answers 2xx (and the expected body), or fails with `E_HEALTHCHECK`
 * naming the last answer seen once `timeoutMs` has passed. `stopped`, when given, is asked
 * between attempts whether the app is still running: a reason (e.g. "web exited with code 3")
 * ends the wait at once with `E_HEALTHCHECK` instead of waiting out the timeout. `verify`, when
 * given, is asked about each 2xx answer whether another release gave it (see
 * `HealthcheckOptions.verifyRelease`): a description of what answered means "not the new
 * release"; when such answers go on for 1000 ms with no right one in between, the wait ends with
 * `E_HEALTHCHECK` saying what answered (`details.wrongRelease`). A log event is emitted only when
 * what is seen changes, not for every attempt.
 */
export async function waitHealthy(
  check: HealthcheckOptions,
  probe: HttpProbe,
  clock: Clock,
  onEvent?: EventSink,
  signal?: AbortSignal,
  stopped?: () => Promise<string | undefined>,
  verify?: (outcome: ProbeOutcome) => Promise<string | undefined>,
): Promise<void> {
  const { url, timeoutMs = 30_000, intervalMs = 250, requestTimeoutMs = 2_000, expectBody } = check;
  let attempts = 0;
  let last = "no answer yet";
  let logged = "";
  let gone: string | undefined;
  let wrongSince: number | undefined;
  const note = (line: string) => {
    if (line === logged) return;
    logged = line;
    onEvent?.({ type: "log", step: "healthcheck", stream: "stdout", line });
  };
  const healthy = async () => {
    attempts++;
    const outcome = await probeHealth(probe, url, {
      timeoutMs: requestTimeoutMs,
      signal,
      ...(expectBody === undefined ? {} : { expectBody }),
    });
    if (outcome.ok) {
      const wrong = await verify?.(outcome);
      if (wrong === undefined) return true;
      last = wrong;
      wrongSince ??= clock.now();
      if (clock.now() - wrongSince >= WRONG_FOR_MS) return "wrong" as const;
      note(`not the new release: ${wrong}`);
      return undefined;
    }
    wrongSince = undefined;
    last = outcome.seen;
    gone = await stopped?.();
    if (gone !== undefined) return "stopped" as const;
    note(`not healthy yet: ${last}`);
    return undefined;
  };
  const result = await waitUntil(clock, healthy, { timeoutMs, intervalMs, signal });
  if (result === true) return;
  if (result === "wrong") {
    throw new DeployKitError("E_HEALTHCHECK", `${url}: the new release does not answer: ${last}.`, {
      hint: "Check that the restart starts the new release's code (unicorn: working_directory pointed at <root>/current, not a release dir).",
      details: { url, attempts, wrongRelease: last },
    });
  }
  const why =
    result === "stopped"
      ? `${url} never answered: ${gone} (${attempts} attempts; last: ${last}).`
      : `${url} did not become healthy within ${timeoutMs} ms (${attempts} attempts; last: ${last}).`;
  throw new DeployKitError("E_HEALTHCHECK", why, {
    hint: "Check the app's log under shared/log; raise the healthcheck timeout (--healthcheck-timeout) if it boots slowly.",
    details: { url, attempts, lastSeen: last, ...(gone === undefined ? {} : { stopped: gone }) },
  });
}
