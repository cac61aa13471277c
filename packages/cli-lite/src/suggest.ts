import { distance } from "fastest-levenshtein";

/**
 * The candidate closest to `word` by Levenshtein distance, if it is close enough to be a typo
 * (at most 2 edits, and fewer than half the word's length): `deplyo` → `deploy`,
 * `--chanel` → `--channel`. Distance by fastest-levenshtein (a small, dependency-free, widely
 * used implementation).
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= 2 && bestDistance < Math.max(word.length, 2) / 2 + 0.5 ? best : undefined;
}

/** `Did you mean "deploy"? ` when a close candidate exists, else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? "" : `Did you mean ${match}? `;
}
