import { DeployKitError, throwIfAborted } from "./errors";
import type { EventSink } from "./events";
import type { Clock } from "./ports/clock";
import type { HttpProbe } from "./ports/http-probe";
import { waitUntil } from "./wait";

/** How `deploy()` decides the new release is healthy. */
export interface HealthcheckOptions {
  /** URL to GET, e.g. `http://127.0.0.1:3000/health`. */
  url: string;
  /** Give up after this long in total, in ms (default 30 000). */
  timeoutMs?: number;
  /** Pause between attempts, in ms (default 250). */
  intervalMs?: number;
  /** Timeout of each request, in ms (default 2 000). */
  requestTimeoutMs?: number;
  /** The body must contain this text (e.g. the new version) or match this pattern. */
  expectBody?: string | RegExp;
}

/** Normalises a URL string or options into {@link HealthcheckOptions}. */
export function healthcheckOptions(check: string | HealthcheckOptions): HealthcheckOptions {
  const options = typeof check === "string" ? { url: check } : check;
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
    const { status, body } = await probe.get(url, { timeoutMs, ...(signal ? { signal } : {}) });
    const bodyOk =
      expectBody === undefined ||
      (typeof expectBody === "string" ? body.includes(expectBody) : expectBody.test(body));
    const ok = status >= 200 && status < 300 && bodyOk;
    const shown = body.trim().slice(0, 200);
    const seen = `HTTP ${status}${bodyOk ? "" : `, body without ${String(expectBody)}`}${shown ? `: ${shown}` : ""}`;
    return { ok, status, body, seen };
  } catch (error) {
    throwIfAborted(signal);
    const cause = (error as { cause?: { message?: string } })?.cause?.message;
    return { ok: false, body: "", seen: cause ?? String((error as Error)?.message ?? error) };
  }
}

/**
 * Polls a URL until it answers 2xx (and the expected body), or fails with `E_HEALTHCHECK`
 * naming the last answer seen once `timeoutMs` has passed. `stopped`, when given, is asked
 * between attempts whether the app is still running: a reason (e.g. "web exited with code 3")
 * ends the wait at once with `E_HEALTHCHECK` instead of waiting out the timeout.
 */
export async function waitHealthy(
  check: HealthcheckOptions,
  probe: HttpProbe,
  clock: Clock,
  onEvent?: EventSink,
  signal?: AbortSignal,
  stopped?: () => Promise<string | undefined>,
): Promise<void> {
  const { url, timeoutMs = 30_000, intervalMs = 250, requestTimeoutMs = 2_000, expectBody } = check;
  let attempts = 0;
  let last = "no answer yet";
  let gone: string | undefined;
  const healthy = async () => {
    attempts++;
    const outcome = await probeHealth(probe, url, {
      timeoutMs: requestTimeoutMs,
      signal,
      ...(expectBody === undefined ? {} : { expectBody }),
    });
    if (outcome.ok) return true;
    last = outcome.seen;
    gone = await stopped?.();
    if (gone !== undefined) return "stopped" as const;
    onEvent?.({ type: "log", step: "healthcheck", stream: "stdout", line: `not healthy yet: ${last}` });
    return undefined;
  };
  const result = await waitUntil(clock, healthy, { timeoutMs, intervalMs, signal });
  if (result === true) return;
  const why =
    result === "stopped"
      ? `${url} never answered: ${gone} (${attempts} attempts; last: ${last}).`
      : `${url} did not become healthy within ${timeoutMs} ms (${attempts} attempts; last: ${last}).`;
  throw new DeployKitError("E_HEALTHCHECK", why, {
    hint: "Check the app's log under shared/log; raise the healthcheck timeout (--healthcheck-timeout) if it boots slowly.",
    details: { url, attempts, lastSeen: last, ...(gone === undefined ? {} : { stopped: gone }) },
  });
}
