import { describe, expect, it } from 'vitest';
import {
  AdxStream, AtrStream, BollingerStream, DonchianStream, EmaStream, MacdStream, RealizedVolStream, RocStream, RsiStream,
  SmaStream, StochStream, VolumeZscoreStream, WmaStream, ZscoreStream, adx, atr, bollinger, donchian, ema, macd,
  realizedVol, roc, rsi, sma, stoch, volumeZscore, wma, zscore,
} from '../../../src/indicators/index.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import { SYNTHETIC_SERIES_NAMES, candlesNamed } from '../../support/candle-series.ts';
import { HAS_SHARED_DATA } from '../../support/shared-data.ts';
import { expectSeriesIdentical } from './compare.ts';

/**
 * The streaming classes must give the batch functions' numbers BIT FOR BIT on market data (they
 * perform the same floating-point operations in the same order), and report `ready` exactly
 * from their warm-up on: on the long synthetic series on every clone, and on real files too.
 */
const FILES = ['BTCUSDT-1h.csv', 'XRPUSDT-1h.csv', 'ETHUSDT-5m.csv'];
const GROUPS = [
  { name: 'the seeded synthetic market', available: true, series: SYNTHETIC_SERIES_NAMES },
  { name: 'real data', available: HAS_SHARED_DATA, series: FILES },
];

/** Feeds every bar to `update` and collects the chosen outputs. */
function runStream<S extends { ready: boolean; warmup: number }>(
  c: CandleColumns, s: S, update: (s: S, i: number) => void, read: (s: S) => number[], label: string,
): Float64Array[] {
  const first = read(s);
  const outs = first.map(() => new Float64Array(c.length));
  for (let i = 0; i < c.length; i++) {
    update(s, i);
    // Plain comparison in the loop: expect() per bar would dominate the runtime.
    if (s.ready !== i + 1 >= s.warmup) expect.fail(`${label}: ready=${s.ready} after ${i + 1} inputs, warmup ${s.warmup}`);
    const v = read(s);
    for (let k = 0; k < v.length; k++) outs[k]![i] = v[k]!;
  }
  return outs;
}

for (const group of GROUPS) {
  describe.skipIf(!group.available)(`batch and stream forms agree on ${group.name}`, () => {
    for (const file of group.series) {
      it(`gives bit-identical batch and stream outputs for every indicator on ${file}`, () => {
        const c = candlesNamed(file);
        const { high: h, low: l, close: x, volume: v } = c;
        for (const n of [1, 14, 50]) {
          const k = Math.max(n, 2);
          const one = (label: string, batch: Float64Array, s: { update(v: number): number; value: number; ready: boolean; warmup: number }): void => {
            const [out] = runStream(c, s, (st, i) => st.update(x[i]!), (st) => [st.value], label);
            expectSeriesIdentical(batch, out!, `${label} ${file} n=${n}`);
          };
          one('sma', sma(x, n), new SmaStream(n));
          one('ema', ema(x, n), new EmaStream(n));
          one('wma', wma(x, n), new WmaStream(n));
          one('rsi', rsi(x, k), new RsiStream(k));
          one('roc', roc(x, n), new RocStream(n));
          one('zscore', zscore(x, k), new ZscoreStream(k));
          one('realizedVol', realizedVol(x, k, 8760), new RealizedVolStream(k, 8760));
          const [vz] = runStream(c, new VolumeZscoreStream(k), (s, i) => s.update(v[i]!), (s) => [s.value], 'volumeZscore');
          expectSeriesIdentical(volumeZscore(v, k), vz!, `volumeZscore ${file} n=${k}`);

          const [a] = runStream(c, new AtrStream(n), (s, i) => s.update(h[i]!, l[i]!, x[i]!), (s) => [s.value], 'atr');
          expectSeriesIdentical(atr(h, l, x, n), a!, `atr ${file} n=${n}`);

          const ab = adx(h, l, x, k);
          const as = runStream(c, new AdxStream(k), (s, i) => s.update(h[i]!, l[i]!, x[i]!), (s) => [s.adx, s.plusDi, s.minusDi], 'adx');
          expectSeriesIdentical(ab.adx, as[0]!, `adx ${file}`);
          expectSeriesIdentical(ab.plusDi, as[1]!, `plusDi ${file}`);
          expectSeriesIdentical(ab.minusDi, as[2]!, `minusDi ${file}`);

          const bb = bollinger(x, k, 2);
          const bs = runStream(c, new BollingerStream(k, 2), (s, i) => s.update(x[i]!), (s) => [s.upper, s.middle, s.lower, s.bandwidth, s.percentB], 'bb');
          [bb.upper, bb.middle, bb.lower, bb.bandwidth, bb.percentB].forEach((arr, j) => expectSeriesIdentical(arr, bs[j]!, `bollinger[${j}] ${file}`));

          const db = donchian(h, l, n);
          const ds = runStream(c, new DonchianStream(n), (s, i) => s.update(h[i]!, l[i]!), (s) => [s.upper, s.lower, s.middle], 'donchian');
          [db.upper, db.lower, db.middle].forEach((arr, j) => expectSeriesIdentical(arr, ds[j]!, `donchian[${j}] ${file}`));

          const sb = stoch(h, l, x, k, 3, n);
          const ss = runStream(c, new StochStream(k, 3, n), (s, i) => s.update(h[i]!, l[i]!, x[i]!), (s) => [s.k, s.d], 'stoch');
          expectSeriesIdentical(sb.k, ss[0]!, `stoch k ${file}`);
          expectSeriesIdentical(sb.d, ss[1]!, `stoch d ${file}`);
        }
        for (const [f, sl, sg] of [[12, 26, 9], [3, 3, 1], [5, 35, 5]] as const) {
          const mb = macd(x, f, sl, sg);
          const ms = runStream(c, new MacdStream(f, sl, sg), (s, i) => s.update(x[i]!), (s) => [s.macd, s.signal, s.hist], 'macd');
          expectSeriesIdentical(mb.macd, ms[0]!, `macd ${file} ${f}/${sl}/${sg}`);
          expectSeriesIdentical(mb.signal, ms[1]!, `macd signal ${file}`);
          expectSeriesIdentical(mb.hist, ms[2]!, `macd hist ${file}`);
        }
      });
    }

    it('restarts from scratch after reset()', () => {
      const c = candlesNamed(group.series[0]!);
      const s = new MacdStream(12, 26, 9);
      for (let i = 0; i < 500; i++) s.update(c.close[i]!);
      s.reset();
      expect(s.ready).toBe(false);
      expect(Number.isNaN(s.macd)).toBe(true);
      const batch = macd(c.close.subarray(1000, 1200), 12, 26, 9);
      for (let i = 1000; i < 1200; i++) s.update(c.close[i]!);
      expect(s.macd).toBe(batch.macd[199]);
      expect(s.signal).toBe(batch.signal[199]);
    });
  });
}
