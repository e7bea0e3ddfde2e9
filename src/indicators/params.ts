import { CtError } from '../core/errors.ts';

/**
 * Parameter checks shared by every indicator. Indicators are called from strategy code with
 * parameters that came from config, so a bad value must fail loudly with the indicator, the
 * parameter and the value named — never turn into a silent all-NaN series.
 */

/** Throws CT_ERR_INDICATOR_PARAM unless `value` is an integer >= `min`. Returns it. */
export function requirePeriod(indicator: string, param: string, value: number, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new CtError(
      'CT_ERR_INDICATOR_PARAM',
      `${indicator}: parameter ${param} must be an integer >= ${min}, got ${String(value)}`,
      { details: { indicator, param, value, min } },
    );
  }
  return value;
}

/** Throws CT_ERR_INDICATOR_PARAM unless `value` is a finite number (optionally > 0). */
export function requireFinite(indicator: string, param: string, value: number, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && value <= 0)) {
    throw new CtError(
      'CT_ERR_INDICATOR_PARAM',
      `${indicator}: parameter ${param} must be a finite${positive ? ' positive' : ''} number, got ${String(value)}`,
      { details: { indicator, param, value } },
    );
  }
  return value;
}

/** Throws CT_ERR_INDICATOR_PARAM when parallel input series (high/low/close) differ in length. */
export function requireSameLength(indicator: string, names: readonly string[], series: readonly ArrayLike<number>[]): number {
  const len = series[0]!.length;
  for (let i = 1; i < series.length; i++) {
    if (series[i]!.length !== len) {
      throw new CtError(
        'CT_ERR_INDICATOR_PARAM',
        `${indicator}: inputs must have the same length, ${names[0]} has ${len} but ${names[i]} has ${series[i]!.length}`,
        { details: { indicator, lengths: Object.fromEntries(names.map((n, k) => [n, series[k]!.length])) } },
      );
    }
  }
  return len;
}

/** A Float64Array of `len` NaNs: the output shape of every batch indicator before it is filled. */
export function nanArray(len: number): Float64Array {
  return new Float64Array(len).fill(NaN);
}

/** Attaches the `warmup` figure to a batch function (e.g. `sma.warmup(20) === 20`). */
export function withWarmup<F extends (...args: never[]) => unknown, W extends (...args: never[]) => number>(
  fn: F,
  warmup: W,
): F & { readonly warmup: W } {
  return Object.assign(fn, { warmup });
}

/**
 * TA-Lib's TA_IS_ZERO: |v| < 1e-14. TA-Lib uses it to avoid dividing by (near) zero in RSI and
 * the DI/DX family; we copy it so our outputs equal TA-Lib's on flat stretches too.
 */
export function taIsZero(v: number): boolean {
  return -1e-14 < v && v < 1e-14;
}
