import type { StrategyContext } from "@deploykit/core";

/**
 * A duration option as the user gave it, in ms: `ms`, else its deprecated seconds-valued
 * spelling (`timeout` next to `timeoutMs`) converted; `undefined` when neither was given.
 */
export function givenMs(ms: number | undefined, deprecatedSeconds: number | undefined): number | undefined {
  return ms ?? (deprecatedSeconds === undefined ? undefined : deprecatedSeconds * 1000);
}

/**
 * A duration option in milliseconds, falling back to its deprecated seconds-valued spelling
 * (`timeout` next to `timeoutMs`), then to the default (ms).
 */
export function msOption(
  ms: number | undefined,
  deprecatedSeconds: number | undefined,
  defaultMs: number,
): number {
  return givenMs(ms, deprecatedSeconds) ?? defaultMs;
}

/**
 * How long, in ms, a strategy waits for the new release to come up (start, readiness, its own
 * health check), from the bounds the user gave: the strategy's option (`given`, ms) and the
 * caller's `ctx.readyTimeoutMs` (deploy()'s health gate timeout). Both given: the shorter. One
 * given: that one, longer or shorter than the default. Neither: the strategy's `defaultMs`.
 */
export function readyTimeout(
  ctx: Pick<StrategyContext, "readyTimeoutMs">,
  given: number | undefined,
  defaultMs: number,
): number {
  const gate = ctx.readyTimeoutMs;
  if (given === undefined) return gate ?? defaultMs;
  return gate === undefined ? given : Math.min(given, gate);
}
