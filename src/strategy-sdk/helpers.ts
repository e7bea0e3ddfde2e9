import type { Series } from './contract.ts';

/**
 * Small pure helpers for strategy rules. NaN (warming up) compares false everywhere, so a cross
 * is never reported before both series have two valid values.
 */

/** a crossed above b on the newest candle: a[t] > b[t] && a[t-1] <= b[t-1]. */
export function crossedAbove(a: Series, b: Series): boolean {
  return a.last(0) > b.last(0) && a.last(1) <= b.last(1);
}

/** a crossed below b on the newest candle: a[t] < b[t] && a[t-1] >= b[t-1]. */
export function crossedBelow(a: Series, b: Series): boolean {
  return a.last(0) < b.last(0) && a.last(1) >= b.last(1);
}

/** Mean of the last n values of a series (NaN if fewer than n valid values). O(n). */
export function meanOfLast(s: Series, n: number): number {
  if (s.length < n) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s.last(i);
  return sum / n;
}
