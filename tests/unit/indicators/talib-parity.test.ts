import { beforeAll, describe, expect, it } from 'vitest';
import { adx, atr, bollinger, diWarmup, donchian, ema, macd, roc, rsi, sma, stoch, wma } from '../../../src/indicators/index.ts';
import { SYNTHETIC_SERIES_NAMES, candlesNamed } from '../../support/candle-series.ts';
import { HAS_SHARED_DATA, SPOT_1H_FILES } from '../../support/shared-data.ts';
import { expectSeriesClose, firstValid } from './compare.ts';
import { callTalib, initTalib } from './talib-reference.ts';

/**
 * Our indicators against TA-Lib's C code (talib-web's wasm build) on the long synthetic series
 * (every clone) and on every real file, whole history. Two parameter sets per indicator: the common defaults and an edge set (short periods,
 * ATR 1, STOCH with unsmoothed K...). Required: same NaN prefix (= TA-Lib lookback = warmup-1)
 * and every value within 1e-9 relative.
 */
const FILES = [...SPOT_1H_FILES.map((f) => f.file), 'BTCUSDT-5m.csv', 'ETHUSDT-5m.csv', 'BTCUSDT-PERP-1h.csv'];
const GROUPS = [
  { name: 'the seeded synthetic market', available: true, series: SYNTHETIC_SERIES_NAMES },
  { name: 'real market data', available: HAS_SHARED_DATA, series: FILES },
];
const TOL = 1e-9;

interface Params {
  ma: number; rsi: number; fast: number; slow: number; signal: number; atr: number; adx: number;
  bb: number; bbK: number; dc: number; kP: number; kS: number; dP: number; roc: number;
}
const PARAM_SETS: Params[] = [
  { ma: 20, rsi: 14, fast: 12, slow: 26, signal: 9, atr: 14, adx: 14, bb: 20, bbK: 2, dc: 20, kP: 14, kS: 3, dP: 3, roc: 10 },
  { ma: 2, rsi: 2, fast: 5, slow: 35, signal: 2, atr: 1, adx: 2, bb: 5, bbK: 1, dc: 55, kP: 5, kS: 1, dP: 1, roc: 1 },
];

/** Checks one output against TA-Lib, including the warm-up contract. */
function check(ours: Float64Array, ref: { begIdx: number; outputs: Float64Array[] }, out: number, warmup: number, label: string): void {
  expect(firstValid(ours), `${label}: first valid index`).toBe(ref.begIdx);
  expect(ref.begIdx, `${label}: warmup - 1 equals TA-Lib lookback`).toBe(warmup - 1);
  expectSeriesClose(ours, ref.outputs[out]!, TOL, label);
}

for (const group of GROUPS) {
  describe.skipIf(!group.available)(`TA-Lib parity on ${group.name}`, () => {
    beforeAll(async () => {
      await initTalib();
    });

    for (const file of group.series) {
      it(`matches TA-Lib on every bar of ${file}`, () => {
        const c = candlesNamed(file);
        const { high: h, low: l, close: x } = c;
        expect(c.length).toBeGreaterThan(10_000);
        for (const p of PARAM_SETS) {
          const tag = `${file} ${JSON.stringify(p)}`;
          check(sma(x, p.ma), callTalib('SMA', [x], [p.ma], 1), 0, sma.warmup(p.ma), `SMA ${tag}`);
          check(ema(x, p.ma), callTalib('EMA', [x], [p.ma], 1), 0, ema.warmup(p.ma), `EMA ${tag}`);
          check(wma(x, p.ma), callTalib('WMA', [x], [p.ma], 1), 0, wma.warmup(p.ma), `WMA ${tag}`);
          check(rsi(x, p.rsi), callTalib('RSI', [x], [p.rsi], 1), 0, rsi.warmup(p.rsi), `RSI ${tag}`);

          const m = macd(x, p.fast, p.slow, p.signal);
          const tm = callTalib('MACD', [x], [p.fast, p.slow, p.signal], 3);
          const mw = macd.warmup(p.fast, p.slow, p.signal);
          check(m.macd, tm, 0, mw, `MACD ${tag}`);
          check(m.signal, tm, 1, mw, `MACD signal ${tag}`);
          check(m.hist, tm, 2, mw, `MACD hist ${tag}`);

          check(atr(h, l, x, p.atr), callTalib('ATR', [h, l, x], [p.atr], 1), 0, atr.warmup(p.atr), `ATR ${tag}`);

          const a = adx(h, l, x, p.adx);
          check(a.adx, callTalib('ADX', [h, l, x], [p.adx], 1), 0, adx.warmup(p.adx), `ADX ${tag}`);
          check(a.plusDi, callTalib('PLUS_DI', [h, l, x], [p.adx], 1), 0, diWarmup(p.adx), `PLUS_DI ${tag}`);
          check(a.minusDi, callTalib('MINUS_DI', [h, l, x], [p.adx], 1), 0, diWarmup(p.adx), `MINUS_DI ${tag}`);

          const b = bollinger(x, p.bb, p.bbK);
          const tb = callTalib('BBANDS', [x], [p.bb, p.bbK, p.bbK, 0], 3); // MAType 0 = SMA
          const bw = bollinger.warmup(p.bb);
          check(b.upper, tb, 0, bw, `BBANDS upper ${tag}`);
          check(b.middle, tb, 1, bw, `BBANDS middle ${tag}`);
          check(b.lower, tb, 2, bw, `BBANDS lower ${tag}`);

          const d = donchian(h, l, p.dc);
          check(d.upper, callTalib('MAX', [h], [p.dc], 1), 0, donchian.warmup(p.dc), `MAX ${tag}`);
          check(d.lower, callTalib('MIN', [l], [p.dc], 1), 0, donchian.warmup(p.dc), `MIN ${tag}`);

          const s = stoch(h, l, x, p.kP, p.kS, p.dP);
          const ts = callTalib('STOCH', [h, l, x], [p.kP, p.kS, 0, p.dP, 0], 2);
          const sw = stoch.warmup(p.kP, p.kS, p.dP);
          check(s.k, ts, 0, sw, `STOCH k ${tag}`);
          check(s.d, ts, 1, sw, `STOCH d ${tag}`);

          check(roc(x, p.roc), callTalib('ROC', [x], [p.roc], 1), 0, roc.warmup(p.roc), `ROC ${tag}`);
        }
      });
    }
  });
}
