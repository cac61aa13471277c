import { type StrategyContext, throwIfAborted } from "@deploykit/core";

/** The outcome of one health probe. */
export interface HealthResult {
  ok: boolean;
  /** The response body ("" on a network error). */
  body: string;
  /** `200 ok 2.0.0`, `503 ...` or the network error, for failure reports. */
  seen: string;
}

/** GETs `url` once through the context's probe; ok means a 2xx answer. */
export async function probeHealth(
  ctx: StrategyContext,
  url: string,
  timeoutMs = 2_000,
): Promise<HealthResult> {
  try {
    const response = await ctx.probe.get(url, { timeoutMs, signal: ctx.signal });
    const ok = response.status >= 200 && response.status < 300;
    return { ok, body: response.body, seen: `${response.status} ${response.body.trim().slice(0, 200)}` };
  } catch (error) {
    throwIfAborted(ctx.signal);
    return { ok: false, body: "", seen: String((error as Error)?.message ?? error) };
  }
}
