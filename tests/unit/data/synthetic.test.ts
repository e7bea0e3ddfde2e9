import { describe, expect, it } from 'vitest';
import { generateSynthetic, syntheticSteps, SyntheticMarket } from '../../../src/data/synthetic.ts';
import { validateCandles } from '../../../src/domain/candle-validation.ts';
import type { Candle } from '../../../src/domain/candle.ts';

const FROM = Date.UTC(2024, 0, 1);
const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

function bytes(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function corr(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]!; my += y[i]!; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) { const a = x[i]! - mx, b = y[i]! - my; sxy += a * b; sxx += a * a; syy += b * b; }
  return sxy / Math.sqrt(sxx * syy);
}

function logReturns(c: Float64Array): Float64Array {
  return Float64Array.from({ length: c.length - 1 }, (_, i) => Math.log(c[i + 1]! / c[i]!));
}

describe('synthetic candles', () => {
  it('the same seed gives byte-identical candles, another seed different ones', () => {
    const a = generateSynthetic({ seed: 42, symbols: SYMBOLS, timeframe: '1h', from: FROM, count: 2000 });
    const b = generateSynthetic({ seed: 42, symbols: SYMBOLS, timeframe: '1h', from: FROM, count: 2000 });
    const c = generateSynthetic({ seed: 43, symbols: SYMBOLS, timeframe: '1h', from: FROM, count: 2000 });
    for (const s of SYMBOLS) {
      for (const f of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(bytes(a.get(s)![f]).equals(bytes(b.get(s)![f]))).toBe(true);
      expect(bytes(a.get(s)!.close).equals(bytes(c.get(s)!.close))).toBe(false);
    }
  });

  it('always passes candle validation, on every timeframe tried', () => {
    for (const tf of ['1m', '5m', '1h', '4h', '1d'] as const) {
      for (const seed of [1, 2, 3]) {
        const m = generateSynthetic({ seed, symbols: SYMBOLS, timeframe: tf, from: FROM, count: 3000 });
        for (const s of SYMBOLS) {
          const r = validateCandles(m.get(s)!, tf);
          expect(r.rejected, `${tf} ${seed} ${s}`).toEqual([]);
          expect(r.valid.length).toBe(3000);
        }
      }
    }
  });

  it('returns are positively correlated across symbols and volume rises with |return|', () => {
    const m = generateSynthetic({ seed: 5, symbols: SYMBOLS, timeframe: '1h', from: FROM, count: 8000 });
    const r = SYMBOLS.map((s) => logReturns(m.get(s)!.close));
    expect(corr(r[0]!, r[1]!)).toBeGreaterThan(0.3);
    expect(corr(r[1]!, r[2]!)).toBeGreaterThan(0.3);
    const abs = Float64Array.from(r[0]!, Math.abs);
    const vol = m.get('BTC/USDT')!.volume.subarray(1);
    expect(corr(abs, vol)).toBeGreaterThan(0.2);
  });

  it('visits all three regimes and clusters volatility (|r| autocorrelated)', () => {
    const market = new SyntheticMarket({ seed: 9, symbols: ['BTC/USDT'], timeframe: '1h', from: FROM });
    const seen = new Set<string>();
    const bar: Candle[] = [];
    const closes = new Float64Array(20_000);
    for (let i = 0; i < closes.length; i++) {
      market.step(bar);
      closes[i] = bar[0]!.close;
      seen.add(market.regime);
    }
    expect([...seen].sort()).toEqual(['ranging', 'trending', 'volatile']);
    const abs = Float64Array.from(logReturns(closes), Math.abs);
    expect(corr(abs.subarray(0, abs.length - 1), abs.subarray(1))).toBeGreaterThan(0.1);
  });

  it('the async step stream yields the batch candles in time order, symbols in the given order', async () => {
    const batch = generateSynthetic({ seed: 3, symbols: SYMBOLS, timeframe: '15m', from: FROM, count: 50 });
    const steps = [];
    for await (const s of syntheticSteps({ seed: 3, symbols: SYMBOLS, timeframe: '15m', from: FROM, count: 50 })) steps.push(s);
    expect(steps.length).toBe(150);
    steps.forEach((s, k) => {
      const i = Math.floor(k / 3);
      expect(s.symbol).toBe(SYMBOLS[k % 3]);
      expect(s.ts).toBe(FROM + i * 900_000);
      const c = batch.get(s.symbol)!;
      expect(s.candle).toEqual({ ts: c.ts[i], open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i], volume: c.volume[i] });
    });
  });

  it('refuses a start that is off the timeframe grid', () => {
    expect(() => generateSynthetic({ seed: 1, symbols: SYMBOLS, timeframe: '1h', from: FROM + 1, count: 1 })).toThrow(/grid/);
  });
});
