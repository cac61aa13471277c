/** Values shorter than this are not redacted: masking `1` or `no` would garble every log line. */
export const MIN_SECRET_LENGTH = 4;

/** Replaces every secret value in a text with `[redacted:NAME]`. */
export type Redactor = (text: string) => string;

/**
 * Builds a {@link Redactor} for the build env: every value at least {@link MIN_SECRET_LENGTH}
 * characters long is masked, longest first (so a secret containing another is masked whole).
 */
export function createRedactor(secrets: Record<string, string>): Redactor {
  const pairs = Object.entries(secrets)
    .filter(([, value]) => value.length >= MIN_SECRET_LENGTH)
    .sort(([, a], [, b]) => b.length - a.length);
  if (pairs.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const [name, value] of pairs) {
      if (out.includes(value)) out = out.split(value).join(`[redacted:${name}]`);
    }
    return out;
  };
}

/** Applies a {@link Redactor} to every string inside a JSON-like value. */
export function redactDeep(value: unknown, redact: Redactor): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)]));
  }
  return value;
}
