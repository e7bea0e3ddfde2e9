import { expect } from 'vitest';

/** Index of the first non-NaN value, or the length when there is none. */
export function firstValid(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (a[i] === a[i]) return i;
  return a.length;
}

/**
 * Asserts `ours` equals `ref` elementwise: same NaN positions, and every defined value within
 * `tol` relative (scaled by max(|a|, |b|, 1e-12)). Reports the worst index on failure.
 */
export function expectSeriesClose(ours: ArrayLike<number>, ref: ArrayLike<number>, tol: number, label: string): void {
  expect(ours.length, `${label}: length`).toBe(ref.length);
  let worst = 0;
  let worstIdx = -1;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const b = ref[i]!;
    const aNaN = a !== a;
    const bNaN = b !== b;
    if (aNaN || bNaN) {
      if (aNaN !== bNaN) expect.fail(`${label}: index ${i} ours=${a} ref=${b} (NaN mismatch)`);
      continue;
    }
    const rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
    if (rel > worst) {
      worst = rel;
      worstIdx = i;
    }
  }
  if (worst > tol) expect.fail(`${label}: index ${worstIdx} ours=${ours[worstIdx]} ref=${ref[worstIdx]} rel=${worst}`);
}

/** Asserts bit-for-bit equality (NaN equals NaN; +0 and -0 count as equal). */
export function expectSeriesIdentical(ours: ArrayLike<number>, ref: ArrayLike<number>, label: string): void {
  expect(ours.length, `${label}: length`).toBe(ref.length);
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const b = ref[i]!;
    if (a !== b && !(a !== a && b !== b)) expect.fail(`${label}: index ${i} batch=${a} stream=${b}`);
  }
}
