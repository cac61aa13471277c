/**
 * A duration option in milliseconds, falling back to its deprecated seconds-valued spelling
 * (`timeout` next to `timeoutMs`), then to the default (ms).
 */
export function msOption(
  ms: number | undefined,
  deprecatedSeconds: number | undefined,
  defaultMs: number,
): number {
  return ms ?? (deprecatedSeconds === undefined ? defaultMs : deprecatedSeconds * 1000);
}
