import { closest, distance } from 'fastest-levenshtein';

/**
 * ` (did you mean "x"?)` when one candidate is close enough to be the intended word, else ''.
 * "Close enough" grows with the word, so a short key is not matched to an unrelated one.
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const best = closest(word, candidates as string[]);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : '';
}
