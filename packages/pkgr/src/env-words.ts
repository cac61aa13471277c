import { DeployKitError } from "@deploykit/core";

const WORD = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

/** True for a `NAME=value` word (the shape `--env` consumes). */
export const isEnvWord = (word: string) => WORD.test(word);

/**
 * Strips one pair of quotes the shell left in a value, as pkgr's users write them:
 * `"STACK=\"\""` arrives as `STACK=""` and means empty; `BUNDLE_WITHOUT="development test"`
 * means `development test`.
 */
export function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
    return value.slice(1, -1);
  }
  return value;
}

/**
 * Parses `NAME=value` words into a map (later words win).
 *
 * @throws `DeployKitError` `E_INVALID_INPUT` for a word without `=`.
 */
export function parseEnvWords(words: readonly string[], source: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [index, word] of words.entries()) {
    const match = WORD.exec(word);
    if (!match) {
      throw new DeployKitError(
        "E_INVALID_INPUT",
        // The word itself is not shown: it may be a secret typed without its NAME=.
        `${source}: word ${index + 1} is not a NAME=value pair.`,
        {
          hint: 'Pass build variables as NAME=value, e.g. --env "RAILS_ENV=production" "STACK=\\"\\"".',
          details: { source, word: index + 1 },
        },
      );
    }
    env[match[1] as string] = unquote(match[2] as string);
  }
  return env;
}
