import { MIN_SECRET_LENGTH } from "./secret-forms";

/** Finds build-secret values in a byte stream fed in chunks (matches across chunk borders too). */
export interface SecretScanner {
  /** Feed the next chunk. */
  scan(chunk: Buffer): void;
  /** Names of the vars whose values were seen so far. */
  found(): string[];
}

/**
 * Builds a {@link SecretScanner} for the build env's secret values (the same ones the
 * redactor masks). Keeps only the last `longest - 1` bytes between chunks.
 */
export function createSecretScanner(secrets: Record<string, string>): SecretScanner {
  const needles = Object.entries(secrets)
    .filter(([, value]) => value.length >= MIN_SECRET_LENGTH)
    .map(([name, value]) => ({ name, bytes: Buffer.from(value) }));
  const longest = Math.max(0, ...needles.map((n) => n.bytes.length));
  const seen = new Set<string>();
  let carry = Buffer.alloc(0);
  return {
    scan(chunk) {
      if (needles.length === 0) return;
      const window = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      for (const needle of needles)
        if (!seen.has(needle.name) && window.includes(needle.bytes)) seen.add(needle.name);
      carry = Buffer.from(window.subarray(Math.max(0, window.length - (longest - 1))));
    },
    found: () => [...seen].sort(),
  };
}
