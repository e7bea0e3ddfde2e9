import { beforeAll, describe, expect, it } from 'vitest';
import { CtError } from '../../../src/core/errors.ts';
import { Rng } from '../../../src/core/rng.ts';
import * as I from '../../../src/indicators/index.ts';
import { expectSeriesClose, firstValid } from './compare.ts';
import { callTalib, initTalib } from './talib-reference.ts';

function expectParamError(fn: () => unknown, param: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CtError);
    expect((e as CtError).code).toBe('CT_ERR_INDICATOR_PARAM');
    expect((e as CtError).message).toContain(param);
    return;
  }
  expect.fail(`expected CT_ERR_INDICATOR_PARAM naming ${param}`);
}

const x = Float64Array.from({ length: 50 }, (_, i) => 100 + 5 * Math.sin(i / 3) + i * 0.2);
const h = x.map((v) => v + 1);
const l = x.map((v) => v - 1);

describe('indicator parameters', () => {
  for (const bad of [0, -3, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`rejects period ${bad} with CT_ERR_INDICATOR_PARAM naming the parameter`, () => {
      expectParamError(() => I.sma(x, bad), 'n');
      expectParamError(() => I.ema(x, bad), 'n');
      expectParamError(() => I.wma(x, bad), 'n');
      expectParamError(() => I.rsi(x, bad), 'n');
      expectParamError(() => I.roc(x, bad), 'n');
      expectParamError(() => I.atr(h, l, x, bad), 'n');
      expectParamError(() => I.adx(h, l, x, bad), 'n');
      expectParamError(() => I.bollinger(x, bad, 2), 'n');
      expectParamError(() => I.donchian(h, l, bad), 'n');
      expectParamError(() => I.zscore(x, bad), 'n');
      expectParamError(() => I.volumeZscore(x, bad), 'n');
      expectParamError(() => I.realizedVol(x, bad, 365), 'n');
      expectParamError(() => I.macd(x, bad, 26, 9), 'fast');
      expectParamError(() => I.macd(x, 12, bad, 9), 'slow');
      expectParamError(() => I.macd(x, 12, 26, bad), 'signal');
      expectParamError(() => I.stoch(h, l, x, bad, 3, 3), 'kPeriod');
      expectParamError(() => I.stoch(h, l, x, 14, bad, 3), 'kSmooth');
      expectParamError(() => I.stoch(h, l, x, 14, 3, bad), 'dPeriod');
      expectParamError(() => new I.SmaStream(bad), 'n');
      expectParamError(() => new I.EmaStream(bad), 'n');
      expectParamError(() => new I.RsiStream(bad), 'n');
      expectParamError(() => new I.MacdStream(12, 26, bad), 'signal');
      expectParamError(() => new I.StochStream(bad, 3, 3), 'kPeriod');
    });
  }

  it('rejects periods of 1 where the indicator needs two values', () => {
    expectParamError(() => I.rsi(x, 1), 'n');
    expectParamError(() => I.adx(h, l, x, 1), 'n');
    expectParamError(() => I.bollinger(x, 1, 2), 'n');
    expectParamError(() => I.zscore(x, 1), 'n');
    expectParamError(() => I.realizedVol(x, 1, 365), 'n');
  });

  it('rejects a MACD whose fast period is longer than its slow one', () => {
    expectParamError(() => I.macd(x, 26, 12, 9), 'fast');
  });

  it('rejects a non-finite Bollinger multiplier and a non-positive periodsPerYear', () => {
    expectParamError(() => I.bollinger(x, 20, Number.NaN), 'k');
    expectParamError(() => new I.BollingerStream(20, Number.POSITIVE_INFINITY), 'k');
    expectParamError(() => I.realizedVol(x, 20, 0), 'periodsPerYear');
    expectParamError(() => I.realizedVol(x, 20, -1), 'periodsPerYear');
  });

  it('rejects high/low/close series of different lengths', () => {
    expectParamError(() => I.atr(h, l.subarray(1), x, 14), 'low');
    expectParamError(() => I.adx(h, l, x.subarray(2), 14), 'close');
    expectParamError(() => I.stoch(h.subarray(1), l, x, 14, 3, 3), 'low');
    expectParamError(() => I.donchian(h, l.subarray(3), 20), 'low');
  });
});

describe('indicator edge cases', () => {
  it('returns an all-NaN series of the same length when n exceeds the series', () => {
    const short = x.subarray(0, 10);
    const outs: Float64Array[] = [
      I.sma(short, 11), I.ema(short, 11), I.wma(short, 11), I.rsi(short, 10), I.roc(short, 10),
      I.atr(h.subarray(0, 10), l.subarray(0, 10), short, 10), I.adx(h.subarray(0, 10), l.subarray(0, 10), short, 6).adx,
      I.bollinger(short, 11, 2).upper, I.donchian(h.subarray(0, 10), l.subarray(0, 10), 11).middle,
      I.stoch(h.subarray(0, 10), l.subarray(0, 10), short, 6, 4, 3).d, I.macd(short, 3, 8, 4).hist,
      I.zscore(short, 11), I.realizedVol(short, 10, 365), I.sma(new Float64Array(0), 5),
    ];
    for (const o of outs) {
      expect(o.length === short.length || o.length === 0).toBe(true);
      expect(firstValid(o)).toBe(o.length);
    }
    expect(I.adx.warmup(5)).toBe(10);
  });

  it('gives the input itself for n = 1 moving averages and the bar itself for a 1-bar channel', () => {
    expect(Array.from(I.sma(x, 1))).toEqual(Array.from(x));
    expect(Array.from(I.ema(x, 1))).toEqual(Array.from(x));
    expect(Array.from(I.wma(x, 1))).toEqual(Array.from(x));
    const d = I.donchian(h, l, 1);
    expect(Array.from(d.upper)).toEqual(Array.from(h));
    expect(Array.from(d.lower)).toEqual(Array.from(l));
    const a = I.atr(h, l, x, 1);
    for (let i = 1; i < x.length; i++) expect(a[i]).toBe(Math.max(h[i]! - l[i]!, Math.abs(h[i]! - x[i - 1]!), Math.abs(l[i]! - x[i - 1]!)));
    const r = I.roc(x, 1);
    for (let i = 1; i < x.length; i++) expect(r[i]).toBeCloseTo((x[i]! / x[i - 1]! - 1) * 100, 12);
  });

  it('declares warm-ups equal to the first valid index + 1', () => {
    const cases: [number, Float64Array][] = [
      [I.sma.warmup(7), I.sma(x, 7)], [I.ema.warmup(7), I.ema(x, 7)], [I.wma.warmup(7), I.wma(x, 7)],
      [I.rsi.warmup(7), I.rsi(x, 7)], [I.roc.warmup(7), I.roc(x, 7)], [I.atr.warmup(7), I.atr(h, l, x, 7)],
      [I.adx.warmup(7), I.adx(h, l, x, 7).adx], [I.diWarmup(7), I.adx(h, l, x, 7).plusDi],
      [I.macd.warmup(3, 8, 4), I.macd(x, 3, 8, 4).signal], [I.bollinger.warmup(7), I.bollinger(x, 7, 2).percentB],
      [I.donchian.warmup(7), I.donchian(h, l, 7).middle], [I.stoch.warmup(5, 3, 2), I.stoch(h, l, x, 5, 3, 2).k],
      [I.zscore.warmup(7), I.zscore(x, 7)], [I.volumeZscore.warmup(7), I.volumeZscore(x, 7)],
      [I.realizedVol.warmup(7), I.realizedVol(x, 7, 365)],
    ];
    for (const [w, out] of cases) expect(firstValid(out)).toBe(w - 1);
    expect([I.sma.warmup(20), I.ema.warmup(20), I.rsi.warmup(14), I.macd.warmup(12, 26, 9), I.atr.warmup(14), I.adx.warmup(14)])
      .toEqual([20, 20, 15, 34, 15, 28]);
  });

  it('uses the MACD signal line itself when signal = 1 (TA-Lib emits garbage there)', () => {
    const m = I.macd(x, 3, 8, 1);
    expect(firstValid(m.macd)).toBe(7);
    for (let i = 7; i < x.length; i++) {
      expect(m.signal[i]).toBeCloseTo(m.macd[i]!, 12);
      expect(m.hist[i]).toBeCloseTo(0, 12);
    }
  });
});

describe('TA-Lib parity on constructed series (flat stretches, tiny prices, gaps)', () => {
  beforeAll(async () => {
    await initTalib();
  });

  it('matches TA-Lib where the market is flat or prices are tiny', () => {
    const rng = new Rng(42);
    const len = 3000;
    const c = new Float64Array(len);
    const hi = new Float64Array(len);
    const lo = new Float64Array(len);
    let p = 0.0005; // a sub-cent coin: exercises TA-Lib's 1e-14 zero tests
    for (let i = 0; i < len; i++) {
      const flat = (i >= 500 && i < 700) || (i >= 2000 && i < 2040);
      if (!flat) p *= Math.exp(0.01 * rng.normal());
      c[i] = p;
      hi[i] = flat ? p : p * (1 + 0.005 * rng.next());
      lo[i] = flat ? p : p * (1 - 0.005 * rng.next());
    }
    const t = (name: string, inputs: Float64Array[], opts: number[], k = 1): Float64Array[] => callTalib(name, inputs, opts, k).outputs;
    expectSeriesClose(I.rsi(c, 14), t('RSI', [c], [14])[0]!, 1e-9, 'RSI');
    expectSeriesClose(I.adx(hi, lo, c, 14).adx, t('ADX', [hi, lo, c], [14])[0]!, 1e-9, 'ADX');
    expectSeriesClose(I.adx(hi, lo, c, 14).plusDi, t('PLUS_DI', [hi, lo, c], [14])[0]!, 1e-9, 'PLUS_DI');
    expectSeriesClose(I.stoch(hi, lo, c, 14, 3, 3).k, t('STOCH', [hi, lo, c], [14, 3, 0, 3, 0], 2)[0]!, 1e-9, 'STOCH');
    expectSeriesClose(I.bollinger(c, 20, 2).upper, t('BBANDS', [c], [20, 2, 2, 0], 3)[0]!, 1e-9, 'BBANDS');
    expectSeriesClose(I.atr(hi, lo, c, 14), t('ATR', [hi, lo, c], [14])[0]!, 1e-9, 'ATR');
    expectSeriesClose(I.macd(c, 12, 26, 9).hist, t('MACD', [c], [12, 26, 9], 3)[2]!, 1e-9, 'MACD hist');
    expectSeriesClose(I.wma(c, 30), t('WMA', [c], [30])[0]!, 1e-9, 'WMA');
  });
});
