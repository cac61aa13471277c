/**
 * Which build variables are secrets. Settings (`STACK`, `ROLE_ID`, `BUNDLE_WITHOUT`...) are shown
 * as given; only secrets are redacted in events and errors and scanned for in the package.
 */

/**
 * Names that are secrets unless told otherwise (matched anywhere in the name, case-insensitive):
 * `RAILS_SECRET_TOKEN`, `AWS_ACCESS_KEY`, `SECRET_KEY_BASE`, `DB_PASSWORD`, `GOOGLE_CREDENTIALS`,
 * `DATABASE_URL`...
 */
export const DEFAULT_SECRET_NAME_PATTERN = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|DATABASE_URL/i;

/** How {@link secretValues} decides. */
export interface SecretRules {
  /** Names declared secret on purpose (`--secret NAME`, `.pkgr.yml` `secrets:`, `BuildOptions.secrets`). */
  names?: readonly string[];
  /** Names that are secrets by default. Default {@link DEFAULT_SECRET_NAME_PATTERN}. */
  pattern?: RegExp;
}

/** `scheme://user:password@` or `http(s)://token@`: a URL carrying credentials in its userinfo. */
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@|\bhttps?:\/\/[^/\s:@]+@/i;

/** True when a value holds a URL with credentials (`postgres://app:pw@db/app`, `https://TOKEN@host`). */
export const hasUrlCredentials = (value: string) => URL_CREDENTIALS.test(value);

/**
 * True when the variable `name=value` is a secret: its name was declared secret, or matches the
 * rules' pattern, or its value is a URL carrying credentials (`REDIS_URL=redis://:pw@host`).
 */
export function isSecret(name: string, value: string, rules: SecretRules = {}): boolean {
  return (
    (rules.names ?? []).includes(name) ||
    name.search(rules.pattern ?? DEFAULT_SECRET_NAME_PATTERN) !== -1 ||
    hasUrlCredentials(value)
  );
}

/**
 * The secret subset of a build env (`{ NAME: value }`), by {@link isSecret}: what the redactor
 * masks and the package scan looks for. Empty values are dropped (nothing to hide).
 */
export function secretValues(env: Record<string, string>, rules: SecretRules = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(([name, value]) => value !== "" && isSecret(name, value, rules)),
  );
}
