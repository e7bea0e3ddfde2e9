/**
 * Compact JSON encodings of long numeric series for the report page, so a 73k-candle run stays a
 * couple of MB and is written in tens of milliseconds:
 *  - times: seconds (the chart's unit), run-length encoded deltas: a 1h series is [t0, 3600, n-1];
 *  - values: packed as integers at a fixed decimal scale (7 significant digits of the series'
 *    largest value, far below what a chart can show), delta-encoded. Printing small integers is
 *    several times faster than printing doubles and the text is a third as long. Deterministic:
 *    the same doubles always give the same text.
 *
 * The browser side decodes with `times(t)` and `unpack(p)` (client-runtime.ts).
 */

/**
 * Epoch-ms times as seconds, run-length encoded deltas: [first, delta, count, delta, count, ...].
 * A regular 1h series of any length is 3 numbers; every gap adds a pair or two.
 */
export function encodeTimes(ts: ArrayLike<number>): number[] {
  if (ts.length === 0) return [];
  const out = [Math.floor(ts[0]! / 1000)];
  let prev = out[0]!, delta = NaN, count = 0;
  for (let i = 1; i < ts.length; i++) {
    const s = Math.floor(ts[i]! / 1000);
    const d = s - prev;
    prev = s;
    if (d === delta) {
      count++;
      continue;
    }
    if (count > 0) out.push(delta, count);
    delta = d;
    count = 1;
  }
  if (count > 0) out.push(delta, count);
  return out;
}

/**
 * A packed series: value = (running sum of `d`) / 10^k. A null entry is a gap (a non-finite
 * value) and leaves the running sum unchanged.
 */
export interface PackedValues {
  readonly k: number;
  readonly d: (number | null)[];
}

export function packValues(v: ArrayLike<number>, digits = 7): PackedValues {
  let max = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]!);
    if (a > max && Number.isFinite(a)) max = a;
  }
  const k = max > 0 ? digits - 1 - Math.floor(Math.log10(max)) : 0;
  const up = k >= 0 ? 10 ** k : 1, down = k < 0 ? 10 ** -k : 1;
  const d = new Array<number | null>(v.length);
  let prev = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) {
      d[i] = null;
      continue;
    }
    const q = Math.round((x * up) / down);
    d[i] = q - prev;
    prev = q;
  }
  return { k, d };
}

/** `x` rounded to `digits` significant digits (non-finite -> null). For single values, not long series. */
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
