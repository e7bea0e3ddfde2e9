import { describe, expect, it } from 'vitest';
import { bollinger, donchian, realizedVol, volumeZscore, zscore } from '../../../src/indicators/index.ts';
import { SYNTHETIC_SERIES_NAMES, candlesNamed } from '../../support/candle-series.ts';
import { HAS_SHARED_DATA } from '../../support/shared-data.ts';
import { firstValid } from './compare.ts';

/**
 * Indicators TA-Lib does not have, checked against direct textbook computations (two-pass mean
 * and variance over each window, recomputed from scratch at every bar) — written here
 * independently of src/indicators.
 */

/**
 * Two-pass deviation and standard deviation of x[end-n+1..end]. The window is shifted by its
 * newest value first (variance is shift-invariant, and x - x[end] is exact for nearby prices),
 * otherwise the reference itself would lose ~1e-9 to the price level on BTC at 100k.
 * Returns [x[end] - mean, std]; std = 0 exactly when all n values are equal.
 */
function naiveDevStd(x: ArrayLike<number>, end: number, n: number, sample: boolean): [number, number] {
  const k = x[end]!;
  let s = 0;
  let flat = true;
  for (let j = end - n + 1; j <= end; j++) {
    s += x[j]! - k;
    if (x[j] !== k) flat = false;
  }
  if (flat) return [0, 0];
  const m = s / n;
  let q = 0;
  for (let j = end - n + 1; j <= end; j++) q += (x[j]! - k - m) ** 2;
  return [-m, Math.sqrt(q / (sample ? n - 1 : n))];
}

function naiveZscore(x: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  for (let i = n - 1; i < x.length; i++) {
    const [dev, sd] = naiveDevStd(x, i, n, false);
    out[i] = sd === 0 ? 0 : dev / sd;
  }
  return out;
}

function naiveRealizedVol(c: ArrayLike<number>, n: number, ppy: number): Float64Array {
  const r = new Float64Array(c.length).fill(NaN);
  for (let i = 1; i < c.length; i++) r[i] = Math.log(c[i]! / c[i - 1]!);
  const out = new Float64Array(c.length).fill(NaN);
  for (let i = n; i < c.length; i++) out[i] = naiveDevStd(r, i, n, true)[1] * Math.sqrt(ppy);
  return out;
}

/** |a - b| <= tol * max(|a|, |b|, 1), NaN positions equal. */
function expectNear(ours: Float64Array, ref: Float64Array, tol: number, label: string): void {
  expect(ours.length).toBe(ref.length);
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const b = ref[i]!;
    if (a !== a || b !== b) {
      if ((a !== a) !== (b !== b)) expect.fail(`${label}: NaN mismatch at ${i}: ${a} vs ${b}`);
      continue;
    }
    if (Math.abs(a - b) > tol * Math.max(Math.abs(a), Math.abs(b), 1)) expect.fail(`${label}: index ${i}: ${a} vs naive ${b}`);
  }
}

const GROUPS = [
  { name: 'the seeded synthetic market', available: true, series: SYNTHETIC_SERIES_NAMES, bands: SYNTHETIC_SERIES_NAMES[0]! },
  { name: 'real data', available: HAS_SHARED_DATA, series: ['BTCUSDT-1h.csv', 'XRPUSDT-1h.csv', 'BTCUSDT-5m.csv'], bands: 'ETHUSDT-1h.csv' },
];

for (const group of GROUPS) {
  describe.skipIf(!group.available)(`non-TA-Lib indicators against naive computations on ${group.name}`, () => {
    for (const file of group.series) {
      it(`zscore, volume z-score and realised volatility equal two-pass recomputation on ${file}`, () => {
        const c = candlesNamed(file);
        for (const n of [2, 20, 96]) {
          expectNear(zscore(c.close, n), naiveZscore(c.close, n), 1e-9, `zscore ${file} n=${n}`);
          // Volume has spikes of 100x next to quiet stretches: the case where running sums fail.
          expectNear(volumeZscore(c.volume, n), naiveZscore(c.volume, n), 1e-9, `volumeZscore ${file} n=${n}`);
          expectNear(realizedVol(c.close, n, 8760), naiveRealizedVol(c.close, n, 8760), 1e-9, `realizedVol ${file} n=${n}`);
        }
      });
    }

    it('computes Donchian middle, Bollinger bandwidth and %B from their bands', () => {
      const c = candlesNamed(group.bands);
      const d = donchian(c.high, c.low, 20);
      const b = bollinger(c.close, 20, 2);
      for (let i = 19; i < c.length; i++) {
        let hi = -Infinity;
        let lo = Infinity;
        for (let j = i - 19; j <= i; j++) {
          hi = Math.max(hi, c.high[j]!);
          lo = Math.min(lo, c.low[j]!);
        }
        // Plain comparisons in the loop (expect() per bar would dominate the runtime).
        const up = b.upper[i]!;
        const low = b.lower[i]!;
        const bw = (up - low) / b.middle[i]!;
        const pb = (c.close[i]! - low) / (up - low);
        if (d.upper[i] !== hi || d.lower[i] !== lo || d.middle[i] !== (hi + lo) / 2) {
          expect.fail(`donchian at ${i}: ${d.upper[i]}/${d.lower[i]}/${d.middle[i]} vs ${hi}/${lo}`);
        }
        if (Math.abs(b.bandwidth[i]! - bw) > 1e-12 * Math.abs(bw) || Math.abs(b.percentB[i]! - pb) > 1e-9 * Math.max(1, Math.abs(pb))) {
          expect.fail(`bollinger extras at ${i}: bandwidth ${b.bandwidth[i]} vs ${bw}, %B ${b.percentB[i]} vs ${pb}`);
        }
      }
      expect(firstValid(d.middle)).toBe(donchian.warmup(20) - 1);
      expect(firstValid(b.bandwidth)).toBe(bollinger.warmup(20) - 1);
      expect(firstValid(b.percentB)).toBe(bollinger.warmup(20) - 1);
    });
  });
}

describe('non-TA-Lib indicators on constructed series', () => {
  it('starts zscore, volume z-score and realised volatility exactly at their warm-up', () => {
    const x = Float64Array.from({ length: 40 }, (_, i) => 100 + Math.sin(i) * 3 + i * 0.1);
    for (const n of [2, 5, 13]) {
      expect(firstValid(zscore(x, n))).toBe(zscore.warmup(n) - 1);
      expect(firstValid(volumeZscore(x, n))).toBe(volumeZscore.warmup(n) - 1);
      expect(firstValid(realizedVol(x, n, 365))).toBe(realizedVol.warmup(n) - 1);
    }
  });

  it('gives z-score 0, %B 0.5 and volatility 0 on a flat window', () => {
    const x = new Float64Array(60).fill(0.1);
    for (let i = 0; i < 30; i++) x[i] = 1 + i * 0.37; // a moving stretch first, so state is not trivially zero
    const n = 10;
    const z = zscore(x, n);
    const rv = realizedVol(x, n, 365);
    const b = bollinger(x, n, 2);
    for (let i = 30 + n - 1; i < 60; i++) {
      expect(z[i]).toBe(0);
      expect(b.percentB[i]).toBe(0.5);
    }
    for (let i = 30 + n; i < 60; i++) expect(rv[i]).toBe(0);
  });

  it('annualises realised volatility by sqrt(periodsPerYear)', () => {
    const x = Float64Array.from({ length: 30 }, (_, i) => 100 * Math.exp(0.01 * ((i * 7) % 5)));
    const a = realizedVol(x, 10, 1);
    const b = realizedVol(x, 10, 8760);
    expect(b[29]! / a[29]!).toBeCloseTo(Math.sqrt(8760), 9);
  });
});
