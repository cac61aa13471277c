/**
 * The texts a secret can show up as in build output: the value, each line of a multi-line value,
 * and the encodings a buildpack may print (URL-encoded, base64).
 */

/**
 * A secret value (or one line of a multi-line value) shorter than this is not redacted or
 * scanned for: masking `1` or `no` would garble every log line.
 */
export const MIN_SECRET_LENGTH = 4;

/**
 * An encoded form (base64) shorter than this is not redacted: a few base64 characters also
 * occur in ordinary words and hashes.
 */
export const MIN_ENCODED_LENGTH = 8;

/** One text to mask, and the variable it comes from. */
export interface SecretForm {
  name: string;
  text: string;
  /**
   * A base64 form: the secret's first and last 0–2 bytes may sit in up to 3 characters before and
   * after it (and padding); the redactor masks those too.
   */
  base64: boolean;
}

const lines = (value: string) =>
  value.includes("\n")
    ? value
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.length >= MIN_SECRET_LENGTH)
    : [];

/** `encodeURIComponent` and its form-encoded variant (space as `+`). */
const urlEncoded = (value: string) => {
  const encoded = encodeURIComponent(value);
  return [encoded, encoded.replaceAll("%20", "+")];
};

/**
 * The value's base64 at each of the three byte alignments it can have inside a longer encoded
 * text (`user:password` in a Basic auth header, `echo "$TOKEN" | base64`): only the whole 3-byte
 * groups that hold secret bytes alone, so the form does not depend on what surrounds it;
 * standard and URL-safe alphabets.
 */
const base64Forms = (value: string) => {
  const bytes = Buffer.from(value);
  const forms: string[] = [];
  for (const skip of [0, 1, 2]) {
    const aligned = bytes.subarray(skip, skip + Math.floor((bytes.length - skip) / 3) * 3);
    const text = aligned.toString("base64");
    if (text.length >= MIN_ENCODED_LENGTH) forms.push(text, aligned.toString("base64url"));
  }
  return forms;
};

/**
 * Every form of every secret (`{ NAME: value }`), longest first, without duplicates: the value
 * and its lines (at least {@link MIN_SECRET_LENGTH} characters), URL-encoded (when that differs),
 * base64 (at least {@link MIN_ENCODED_LENGTH} characters).
 */
export function secretForms(secrets: Record<string, string>): SecretForm[] {
  const forms = new Map<string, SecretForm>();
  const add = (name: string, text: string, base64: boolean) => {
    if (!forms.has(text)) forms.set(text, { name, text, base64 });
  };
  for (const [name, value] of Object.entries(secrets)) {
    if (value.trim().length < MIN_SECRET_LENGTH) continue;
    add(name, value, false);
    for (const line of lines(value)) add(name, line, false);
    for (const encoded of urlEncoded(value)) add(name, encoded, false);
    for (const encoded of base64Forms(value)) add(name, encoded, true);
  }
  return [...forms.values()].sort((a, b) => b.text.length - a.text.length);
}
