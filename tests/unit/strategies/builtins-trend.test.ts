import { describe, expect, it } from 'vitest';
import { T0, H, candlesFromCloses, naiveSma, runBuiltin } from './support.ts';

function naiveEma(x: readonly number[], n: number): number[] {
  const out: number[] = [];
  let prev = NaN;
  for (let i = 0; i < x.length; i++) {
    if (i + 1 < n) out.push(NaN);
    else if (i + 1 === n) { prev = x.slice(0, n).reduce((a, b) => a + b, 0) / n; out.push(prev); }
    else { prev = prev + (2 / (n + 1)) * (x[i]! - prev); out.push(prev); }
  }
  return out;
}

/** Indices where fast crosses above (+1) / below (-1) slow, by the rule fast[t] vs slow[t] and t-1. */
function crosses(fast: number[], slow: number[]): Array<[number, 1 | -1]> {
  const out: Array<[number, 1 | -1]> = [];
  for (let t = 1; t < fast.length; t++) {
    if (fast[t]! > slow[t]! && fast[t - 1]! <= slow[t - 1]!) out.push([t, 1]);
    if (fast[t]! < slow[t]! && fast[t - 1]! >= slow[t - 1]!) out.push([t, -1]);
  }
  return out;
}

const CLOSES = [10, 10, 10, 10, 10, 10, 9, 8, 7, 12, 14, 16, 15, 9, 6, 5, 5, 8, 12, 15];

describe('simple_ma', () => {
  const x = crosses(naiveSma(CLOSES, 3), naiveSma(CLOSES, 5));
  it('enters long on the close of the crossing candle and exits on the opposite cross (spot)', async () => {
    expect(x.length).toBeGreaterThanOrEqual(3);
    const sigs = await runBuiltin('simple_ma', { 'BTC/USDT': candlesFromCloses(CLOSES) }, { params: { fast: 3, slow: 5 } });
    const expected = x.filter(([, d], i) => d === 1 || x.slice(0, i).some(([, e]) => e === 1)).map(([t, d]) => [d === 1 ? 'enter_long' : 'exit', T0 + t * H]);
    expect(sigs.map((s) => [s.kind, s.ts])).toEqual(expected);
    expect(sigs[0]!.targetExposure).toBe(1);
    const firstUp = x.find(([, d]) => d === 1)![0];
    expect(sigs[0]!.indicators.fast).toBeCloseTo(naiveSma(CLOSES, 3)[firstUp]!, 12);
    expect(sigs[0]!.indicators.slow).toBeCloseTo(naiveSma(CLOSES, 5)[firstUp]!, 12);
  });
  it('goes short on the bearish cross on linear markets', async () => {
    const sigs = await runBuiltin('simple_ma', { 'BTC/USDT:USDT': candlesFromCloses(CLOSES) }, { params: { fast: 3, slow: 5 }, market: 'linear' });
    expect(sigs.map((s) => [s.kind, s.ts])).toEqual(x.map(([t, d]) => [d === 1 ? 'enter_long' : 'enter_short', T0 + t * H]));
  });
});

describe('ema_cross', () => {
  it('signals exactly on EMA crosses', async () => {
    const x = crosses(naiveEma(CLOSES, 3), naiveEma(CLOSES, 6));
    const sigs = await runBuiltin('ema_cross', { 'BTC/USDT:USDT': candlesFromCloses(CLOSES) }, { params: { fast: 3, slow: 6 }, market: 'linear' });
    expect(x.length).toBeGreaterThanOrEqual(2);
    expect(sigs.map((s) => [s.kind, s.ts])).toEqual(x.filter(([t]) => t >= 6).map(([t, d]) => [d === 1 ? 'enter_long' : 'enter_short', T0 + t * H]));
  });
});

describe('donchian_trend', () => {
  const params = { short: 3, mid: 5, long: 8, exit_lookback: 3 };
  it('enters when a majority breaks the previous bar channel, stops at the exit channel, exits on the opposite channel', async () => {
    const closes = [...Array(12).fill(100), 105, 106, 107, 104, 95, 96];
    const c = candlesFromCloses(closes);
    const sigs = await runBuiltin('donchian_trend', { 'BTC/USDT': c }, { params });
    expect(sigs.map((s) => [s.kind, s.ts])).toEqual([['enter_long', T0 + 12 * H], ['exit', T0 + 16 * H]]);
    expect(sigs[0]!.stop).toBe(Math.min(...c.slice(9, 12).map((k) => k.low)));
    expect(sigs[0]!.indicators.votes_up).toBe(3);
    // 104 at index 15 is above the 3-bar low, so no exit there; 95 is below it.
    expect(sigs[1]!.indicators.exit_low).toBe(Math.min(...c.slice(13, 16).map((k) => k.low)));
  });
  it('does not enter when only a minority breaks out', async () => {
    // A rise that clears the 3- and 5-bar highs but not the 8-bar high (the spike at index 4-5).
    const closes = [100, 100, 100, 100, 120, 100, 100, 100, 100, 100, 100, 100, 105];
    const c = candlesFromCloses(closes);
    expect(await runBuiltin('donchian_trend', { 'BTC/USDT': c }, { params: { ...params, min_votes: 3 } })).toEqual([]);
    const two = await runBuiltin('donchian_trend', { 'BTC/USDT': c }, { params: { ...params, min_votes: 2 } });
    expect(two.map((s) => [s.kind, s.ts, s.indicators.votes_up])).toEqual([['enter_long', T0 + 12 * H, 2]]);
  });
});

describe('trend_following', () => {
  const params = { fast: 3, slow: 6, adx_period: 3, adx_min: 10, atr_period: 3, atr_long: 5, atr_guard: 3, atr_stop: 2, max_hold: 4 };
  const closes = [...Array(12).fill(100), ...Array.from({ length: 14 }, (_, i) => 101 + 2 * i)];
  it('enters a confirmed trend with an ATR stop and exits at the max holding period without re-entering the same regime', async () => {
    const sigs = await runBuiltin('trend_following', { 'BTC/USDT': candlesFromCloses(closes) }, { params });
    expect(sigs.map((s) => s.kind)).toEqual(['enter_long', 'exit']);
    const [enter, exit] = sigs as [typeof sigs[0], typeof sigs[0]];
    expect(enter.stop).toBeCloseTo(enter.indicators.close! - 2 * enter.indicators.atr!, 9);
    expect(enter.indicators.adx).toBeGreaterThan(10);
    expect(enter.indicators.sma_fast).toBeGreaterThan(enter.indicators.sma_slow!);
    expect(exit.ts - enter.ts).toBe(4 * H);
    expect(exit.reason).toContain('max_hold 4');
  });
  it('skips entries when the ATR guard fails', async () => {
    const sigs = await runBuiltin('trend_following', { 'BTC/USDT': candlesFromCloses(closes) }, { params: { ...params, atr_guard: 0.1 } });
    expect(sigs).toEqual([]);
  });
  it('exits when the regime flips', async () => {
    const down = [...closes, 120, 110, 100, 90, 80];
    const sigs = await runBuiltin('trend_following', { 'BTC/USDT': candlesFromCloses(down) }, { params: { ...params, max_hold: 1000 } });
    expect(sigs.map((s) => s.kind)).toEqual(['enter_long', 'exit']);
    expect(sigs[1]!.reason).toMatch(/regime ended|ATR stop/);
  });
});
