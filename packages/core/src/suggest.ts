import { distance } from "fastest-levenshtein";

/**
 * The candidate closest to `word` by Levenshtein distance (edits of one character), if it is
 * close enough to be a typo: at most 2 edits, and fewer than half the word's length.
 * `deplyo` → `deploy`, `--chanel` → `--channel`, `hostz` → `hosts`; `batch` against
 * `["hosts"]` → `undefined`. Case counts as an edit (`batchsize` is 1 edit from `batchSize`).
 * Between candidates as close, one with the same letters wins (a swap of two letters is 2 edits:
 * `prot` → `port`, not `root`), else the first listed.
 * Distance by fastest-levenshtein (a small, dependency-free, widely used implementation).
 * The CLI uses it for commands and flags, `@deploykit/fleet` for inventory keys.
 *
 * @param word - what was written.
 * @param candidates - the names accepted there.
 * @returns the closest candidate, or `undefined` when none is close.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const letters = (s: string) => [...s].sort().join("");
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let bestSwapped = false;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    const swapped = letters(candidate) === letters(word);
    if (d < bestDistance || (d === bestDistance && swapped && !bestSwapped)) {
      best = candidate;
      bestDistance = d;
      bestSwapped = swapped;
    }
  }
  return bestDistance <= 2 && bestDistance < Math.max(word.length, 2) / 2 + 0.5 ? best : undefined;
}

/**
 * `"Did you mean deploy? "` (with a trailing space, to prefix a hint) when {@link closestMatch}
 * finds a close candidate, else `""`.
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? "" : `Did you mean ${match}? `;
}
