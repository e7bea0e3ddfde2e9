/**
 * Compact JSON encodings of long numeric series for the report page, so a 73k-candle run stays a
 * few MB: times are seconds (the chart's unit), delta-encoded (a 1h series is mostly `3600`), and
 * values are rounded to a fixed number of significant digits (far below what a chart can show,
 * and deterministic: the same doubles always give the same text).
 *
 * The browser side decodes with `CtReport.times(t)` (client-runtime.ts).
 */

/** Epoch-ms times -> [first second, delta seconds...]. */
export function encodeTimes(ts: ArrayLike<number>): number[] {
  const out = new Array<number>(ts.length);
  let prev = 0;
  for (let i = 0; i < ts.length; i++) {
    const s = Math.floor(ts[i]! / 1000);
    out[i] = i === 0 ? s : s - prev;
    prev = s;
  }
  return out;
}

/** `x` rounded to `digits` significant digits (non-finite -> null, which JSON keeps as a gap). */
export function roundSig(x: number, digits = 7): number | null {
  if (!Number.isFinite(x)) return null;
  if (x === 0) return 0;
  const k = digits - 1 - Math.floor(Math.log10(Math.abs(x)));
  // Scaling by an exact power of ten (an integer exponent) keeps the text short: 1234.5, not 1234.4999999.
  if (k >= 0) {
    const p = 10 ** k;
    return Math.round(x * p) / p;
  }
  const q = 10 ** -k;
  return Math.round(x / q) * q;
}

/** A numeric column rounded to `digits` significant digits. */
export function encodeValues(v: ArrayLike<number>, digits = 7): (number | null)[] {
  const out = new Array<number | null>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = roundSig(v[i]!, digits);
  return out;
}
