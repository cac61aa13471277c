import { escapeRegExp } from "../escape-regexp";
import { secretForms } from "./secret-forms";

/** Replaces every secret value in a text with `[redacted:NAME]`. */
export type Redactor = (text: string) => string;

/**
 * What may surround a base64 form: up to 3 characters before it that carry the secret's first
 * bytes (when it does not start on a 3-byte boundary), and up to 3 after it that carry its last
 * bytes, then padding.
 */
const BASE64_CHAR = "[A-Za-z0-9+/_-]";

/**
 * Builds a {@link Redactor} for the build's secrets (`{ NAME: value }`, see `secretValues`): each
 * value, each line of a multi-line value, and its URL-encoded and base64 forms are masked,
 * longest first (so a secret containing another is masked whole). Short values and forms are
 * left alone (`MIN_SECRET_LENGTH`, `MIN_ENCODED_LENGTH`).
 */
export function createRedactor(secrets: Record<string, string>): Redactor {
  const forms = secretForms(secrets);
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp(
    forms
      .map((form) =>
        form.base64
          ? `(${BASE64_CHAR}{0,3}${escapeRegExp(form.text)}${BASE64_CHAR}{0,3}={0,2})`
          : `(${escapeRegExp(form.text)})`,
      )
      .join("|"),
    "g",
  );
  return (text) =>
    text.replace(pattern, (...groups: unknown[]) => {
      const index = groups.slice(1, forms.length + 1).findIndex((group) => group !== undefined);
      return `[redacted:${forms[index]?.name ?? "?"}]`;
    });
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
