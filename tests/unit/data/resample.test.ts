import { describe, expect, it } from 'vitest';
import { resample, Resampler } from '../../../src/data/resample.ts';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import type { Candle, CandleColumns } from '../../../src/domain/candle.ts';
import { candleAt } from '../../../src/domain/candle.ts';
import { findGaps, formatGap } from '../../../src/data/gaps.ts';

const FROM = Date.UTC(2024, 0, 1);
const M = 60_000;

function dropRows(c: CandleColumns, drop: Set<number>): CandleColumns {
  const keep = [...Array(c.length).keys()].filter((i) => !drop.has(i));
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]!);
  return { length: keep.length, ts: pick(c.ts), open: pick(c.open), high: pick(c.high), low: pick(c.low), close: pick(c.close), volume: pick(c.volume) };
}

describe('resampling', () => {
  const base = generateSynthetic({ seed: 11, symbols: ['BTC/USDT'], timeframe: '1m', from: FROM, count: 600 }).get('BTC/USDT')!;

  it('aggregates first open, max high, min low, last close and summed volume per bucket', () => {
    const h = resample(base, '1m', '1h');
    expect(h.length).toBe(10);
    for (let k = 0; k < 10; k++) {
      const rows = [...Array(60).keys()].map((j) => candleAt(base, k * 60 + j));
      expect(h.ts[k]).toBe(FROM + k * 60 * M);
      expect(h.open[k]).toBe(rows[0]!.open);
      expect(h.close[k]).toBe(rows[59]!.close);
      expect(h.high[k]).toBe(Math.max(...rows.map((r) => r.high)));
      expect(h.low[k]).toBe(Math.min(...rows.map((r) => r.low)));
      expect(h.volume[k]).toBeCloseTo(rows.reduce((s, r) => s + r.volume, 0), 6);
    }
  });

  it('skips a bucket with a missing base candle (first, middle or last) instead of emitting it as complete', () => {
    const holed = dropRows(base, new Set([60, 150, 239])); // hour 1 first, hour 2 middle, hour 3 last
    const h = resample(holed, '1m', '1h');
    expect(Array.from(h.ts)).toEqual([0, 4, 5, 6, 7, 8, 9].map((k) => FROM + k * 60 * M));
  });

  it('the streaming Resampler emits exactly the batch candles, each when its last base candle arrives', () => {
    const holed = dropRows(base, new Set([60, 150, 239]));
    const batch = resample(holed, '1m', '15m');
    const r = new Resampler('1m', '15m');
    const out: Candle[] = [];
    for (let i = 0; i < holed.length; i++) {
      const c = candleAt(holed, i);
      const got = r.push(c);
      if (got) {
        expect(c.ts + M).toBe(got.ts + 15 * M); // emitted on the bucket's closing candle
        out.push(got);
      }
    }
    expect(out).toEqual([...Array(batch.length).keys()].map((k) => candleAt(batch, k)));
    expect(r.skipped).toBe(3);
  });

  it('refuses a target that is not an integer multiple and out-of-order pushes', () => {
    expect(() => resample(base, '1h', '5m')).toThrow(/integer multiple/);
    const r = new Resampler('1m', '5m');
    r.push(candleAt(base, 1));
    expect(() => r.push(candleAt(base, 0))).toThrow(expect.objectContaining({ code: 'CT_ERR_CANDLE_INVALID' }));
  });
});

describe('gaps', () => {
  it('lists missing candles as last-present -> next-present (missing count)', () => {
    const H = 3_600_000;
    const t = Date.UTC(2018, 1, 8);
    const ts = Float64Array.of(t - H, t, t + 34 * H, t + 35 * H, t + 37 * H);
    const gaps = findGaps(ts, H);
    expect(gaps.map(formatGap)).toEqual(['2018-02-08 00:00->2018-02-09 10:00 (33)', '2018-02-09 11:00->13:00 (1)']);
  });
});
