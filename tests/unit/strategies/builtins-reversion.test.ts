import { describe, expect, it } from 'vitest';
import { T0, H, candlesFromCloses, runBuiltin } from './support.ts';

/** Naive Wilder RSI (TA-Lib seeding: mean of the first n changes), independent of src/indicators. */
function naiveRsi(x: readonly number[], n: number): number[] {
  const out: number[] = x.map(() => NaN);
  let g = 0, l = 0;
  for (let i = 1; i <= n; i++) { const d = x[i]! - x[i - 1]!; if (d > 0) g += d; else l -= d; }
  g /= n; l /= n;
  out[n] = g + l === 0 ? 0 : (100 * g) / (g + l);
  for (let i = n + 1; i < x.length; i++) {
    const d = x[i]! - x[i - 1]!;
    g = (g * (n - 1) + Math.max(d, 0)) / n;
    l = (l * (n - 1) + Math.max(-d, 0)) / n;
    out[i] = g + l === 0 ? 0 : (100 * g) / (g + l);
  }
  return out;
}

describe('rsi_reversion', () => {
  const closes = [...Array.from({ length: 20 }, (_, i) => 100 + (i % 2)), ...Array.from({ length: 8 }, (_, i) => 99 - 2 * i), ...Array.from({ length: 10 }, (_, i) => 86 + 3 * i)];
  const r = naiveRsi(closes, 14);
  it('buys when RSI < 30 and exits when it recovers through 50', async () => {
    const entry = r.findIndex((v) => v < 30);
    const exit = r.findIndex((v, i) => i > entry && v >= 50);
    expect(entry).toBeGreaterThan(0);
    expect(exit).toBeGreaterThan(entry);
    const sigs = await runBuiltin('rsi_reversion', { 'BTC/USDT': candlesFromCloses(closes) });
    expect(sigs.map((s) => [s.kind, s.ts])).toEqual([['enter_long', T0 + entry * H], ['exit', T0 + exit * H]]);
    expect(sigs[0]!.indicators.rsi).toBeCloseTo(r[entry]!, 9);
  });
  it('trades the mirror short side only on linear with shorts = true', async () => {
    const up = closes.map((c) => 200 - c);
    const spot = await runBuiltin('rsi_reversion', { 'BTC/USDT': candlesFromCloses(up) });
    expect(spot.some((s) => s.kind === 'enter_short')).toBe(false);
    const sigs = await runBuiltin('rsi_reversion', { 'BTC/USDT:USDT': candlesFromCloses(up) }, { market: 'linear', params: { shorts: 'true' } });
    expect(sigs.map((s) => s.kind).slice(0, 2)).toEqual(['enter_short', 'exit']);
  });
});

describe('mean_reversion', () => {
  const flat = Array.from({ length: 60 }, (_, i) => 100 + (i % 2) * 0.1);
  const params = { stop_atr: 2 };
  it('buys a lower-band touch with low RSI near the trend MA, exits at the middle band, then cools down', async () => {
    // dip, recover, dip again 3 bars after the exit (cooldown), recover, dip again after 12 bars.
    const closes = [...flat, 98.9, 100.1, 100, 100.1, 98.9, 100.1, ...flat.slice(0, 30), 98.6];
    const sigs = await runBuiltin('mean_reversion', { 'BTC/USDT': candlesFromCloses(closes) }, { params });
    const kinds = sigs.map((s) => [s.kind, (s.ts - T0) / H]);
    expect(kinds[0]).toEqual(['enter_long', 60]);
    expect(kinds[1]).toEqual(['exit', 61]);
    // The same dip 3 bars after the exit (bar 64) is inside the 10-bar cooldown; the one at 96 is not.
    expect(kinds[2]).toEqual(['enter_long', 96]);
    expect(sigs).toHaveLength(3);
    const e = sigs[0]!;
    expect(e.indicators.close).toBeLessThanOrEqual(e.indicators.bb_lower!);
    expect(e.indicators.rsi).toBeLessThan(30);
    expect(e.stop).toBeCloseTo(e.indicators.close! - 2 * e.indicators.atr!, 9);
    expect(sigs[1]!.reason).toMatch(/middle band|RSI/);
  });
  it('does not buy a dip more than 2% below the trend MA', async () => {
    const sigs = await runBuiltin('mean_reversion', { 'BTC/USDT': candlesFromCloses([...flat, 97, 96]) }, { params });
    expect(sigs).toEqual([]);
  });
  it('exits at the max holding period', async () => {
    const closes = [...flat, 98.9, ...Array(10).fill(98.9)];
    const sigs = await runBuiltin('mean_reversion', { 'BTC/USDT': candlesFromCloses(closes) }, { params: { ...params, max_hold: 5, stop_atr: 0 } });
    expect(sigs.map((s) => [s.kind, (s.ts - T0) / H])).toEqual([['enter_long', 60], ['exit', 65]]);
    expect(sigs[0]!.stop).toBeUndefined();
  });
});

describe('cross_section_momentum', () => {
  it('targets the top-K by ROC at each rebalance and exits symbols that leave it', async () => {
    const a = [100, 110, 121, 133, 140, 141, 141, 141];
    const b = [100, 100, 100, 100, 110, 125, 140, 160];
    const c = [100, 99, 98, 97, 96, 95, 94, 93];
    const series = { 'A/USDT': candlesFromCloses(a), 'B/USDT': candlesFromCloses(b), 'C/USDT': candlesFromCloses(c) };
    const sigs = await runBuiltin('cross_section_momentum', series, { params: { lookback: 2, rebalance: 1, top_k: 1 } });
    // Naive ROC(2) ranking per bar from index 2 on.
    const roc = (x: number[], i: number): number => ((x[i]! - x[i - 2]!) / x[i - 2]!) * 100;
    const leaders = [2, 3, 4, 5, 6, 7].map((i) => (roc(b, i) > roc(a, i) ? 'B/USDT' : 'A/USDT'));
    const switchAt = 2 + leaders.indexOf('B/USDT');
    expect(sigs.map((s) => [s.kind, s.symbol, (s.ts - T0) / H])).toEqual([
      ['target', 'A/USDT', 2], ['target', 'B/USDT', switchAt], ['exit', 'A/USDT', switchAt],
    ]);
    expect(sigs[0]!.targetExposure).toBe(1);
    expect(sigs[0]!.indicators.roc).toBeCloseTo(roc(a, 2), 9);
  });
  it('splits exposure 1/K and holds only symbols above min_momentum', async () => {
    const up = (k: number): number[] => Array.from({ length: 6 }, (_, i) => 100 * (1 + k * i));
    const series = { 'A/USDT': candlesFromCloses(up(0.02)), 'B/USDT': candlesFromCloses(up(0.01)), 'C/USDT': candlesFromCloses(up(-0.01)) };
    const sigs = await runBuiltin('cross_section_momentum', series, { params: { lookback: 2, rebalance: 1, top_k: 3 } });
    expect(sigs.map((s) => [s.symbol, s.targetExposure])).toEqual([['A/USDT', 1 / 3], ['B/USDT', 1 / 3]]);
  });
});

describe('macd_rsi_confluence', () => {
  // Two symbols on noisy waves: confluence comes and goes, forcing entries and exits.
  const wave = (phase: number, amp: number): number[] => Array.from({ length: 400 }, (_, i) => 100 + amp * Math.sin(i / 9 + phase) + 0.02 * i + 0.3 * Math.sin(i * 1.7 + phase));
  const params = { max_positions: 1, volume_period: 10, roc_period: 5 };
  it('enters only with confluence, at most max_positions at once, and exits when it breaks', async () => {
    const series = { 'A/USDT': candlesFromCloses(wave(0, 3)), 'B/USDT': candlesFromCloses(wave(2, 4)) };
    const sigs = await runBuiltin('macd_rsi_confluence', series, { params });
    const entries = sigs.filter((s) => s.kind === 'enter_long');
    const exits = sigs.filter((s) => s.kind === 'exit');
    expect(entries.length).toBeGreaterThan(3);
    expect(exits.length).toBeGreaterThan(3);
    for (const e of entries) {
      expect(e.indicators.macd_hist_slope).toBeGreaterThan(0);
      expect(e.indicators.rsi).toBeGreaterThanOrEqual(40);
      expect(e.indicators.rsi).toBeLessThanOrEqual(65);
      expect(e.indicators.atr_pct).toBeLessThanOrEqual(0.05);
      expect(e.targetExposure).toBe(1);
      expect(e.stop).toBeLessThan(e.indicators.close!);
    }
    for (const x of exits) expect(x.reason).toMatch(/^confluence broke/);
    let held = 0;
    for (const s of sigs) {
      held += s.kind === 'enter_long' ? 1 : -1;
      expect(held).toBeGreaterThanOrEqual(0);
      expect(held).toBeLessThanOrEqual(1);
    }
  });
});
