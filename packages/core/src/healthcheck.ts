import { DeployKitError, throwIfAborted } from "./errors";
import type { EventSink } from "./events";
import type { Clock } from "./ports/clock";
import type { HttpProbe } from "./ports/http-probe";

/** How `deploy()` decides the new release is healthy. */
export interface HealthcheckOptions {
  /** URL to GET, e.g. `http://127.0.0.1:3000/health`. */
  url: string;
  /** Give up after this long in total (default 30 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 250 ms). */
  intervalMs?: number;
  /** Timeout of each request (default 2 s). */
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

/**
 * Polls a URL until it answers 2xx (and the expected body), or fails with `E_HEALTHCHECK`
 * naming the last answer seen once `timeoutMs` has passed.
 */
export async function waitHealthy(
  check: HealthcheckOptions,
  probe: HttpProbe,
  clock: Clock,
  onEvent?: EventSink,
  signal?: AbortSignal,
): Promise<void> {
  const { url, timeoutMs = 30_000, intervalMs = 250, requestTimeoutMs = 2_000, expectBody } = check;
  const deadline = clock.now() + timeoutMs;
  let lastSeen = "no answer yet";
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      const { status, body } = await probe.get(url, {
        timeoutMs: requestTimeoutMs,
        ...(signal ? { signal } : {}),
      });
      const bodyOk =
        expectBody === undefined ||
        (typeof expectBody === "string" ? body.includes(expectBody) : expectBody.test(body));
      if (status >= 200 && status < 300 && bodyOk) return;
      lastSeen = `HTTP ${status}${bodyOk ? "" : `, body without ${String(expectBody)}`}: ${body.slice(0, 200)}`;
    } catch (error) {
      lastSeen = (error as Error).message;
    }
    if (clock.now() >= deadline) {
      throw new DeployKitError(
        "E_HEALTHCHECK",
        `${url} did not become healthy within ${timeoutMs} ms (${attempt} attempts; last: ${lastSeen}).`,
        {
          hint: "Check the app's log under shared/log; raise the healthcheck timeout if it boots slowly.",
          details: { url, attempts: attempt, lastSeen },
        },
      );
    }
    onEvent?.({ type: "log", step: "healthcheck", stream: "stdout", line: `not healthy yet: ${lastSeen}` });
    await clock.sleep(intervalMs, signal);
  }
}
