/**
 * Indicator throughput: batch functions over 10M values and stream updates, on a deterministic
 * random walk (core Rng, seed 7). Targets: batch SMA/EMA/RSI >= 50M values/s, stream SMA/EMA/RSI
 * >= 10M updates/s. Other indicators are reported without a target.
 */
import { performance } from 'node:perf_hooks';
import { Rng } from '../../src/core/rng.ts';
import {
  AdxStream, AtrStream, BollingerStream, DonchianStream, EmaStream, MacdStream, RsiStream, SmaStream, StochStream,
  ZscoreStream, adx, atr, bollinger, donchian, ema, macd, rsi, sma, stoch, zscore,
} from '../../src/indicators/index.ts';
import type { BenchResult } from './types.ts';

const N = 10_000_000;

function series(n: number): { close: Float64Array; high: Float64Array; low: Float64Array } {
  const rng = new Rng(7);
  const close = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  let p = 30_000;
  for (let i = 0; i < n; i++) {
    p *= 1 + 0.002 * rng.normal();
    close[i] = p;
    high[i] = p * (1 + 0.001 * rng.next());
    low[i] = p * (1 - 0.001 * rng.next());
  }
  return { close, high, low };
}

/** Best of `reps` runs, in values per second (one warm-up run first for the JIT). */
function rate(n: number, reps: number, fn: () => number): number {
  let sink = fn();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    sink += fn();
    best = Math.min(best, performance.now() - t0);
  }
  if (sink === 12345.678) console.log(''); // keep results alive
  return n / (best / 1000);
}

export async function run(): Promise<BenchResult[]> {
  const { close, high, low } = series(N);
  const out: BenchResult[] = [];
  const add = (name: string, value: number, target?: number, unit = 'values/s'): void => {
    out.push({
      name, value, unit,
      ...(target === undefined ? {} : { target: `>= ${target.toLocaleString('en-US')} ${unit}`, pass: value >= target }),
    });
  };

  add('batch sma(20) over 10M', rate(N, 3, () => sma(close, 20)[N - 1]!), 50e6);
  add('batch ema(20) over 10M', rate(N, 3, () => ema(close, 20)[N - 1]!), 50e6);
  add('batch rsi(14) over 10M', rate(N, 3, () => rsi(close, 14)[N - 1]!), 50e6);

  const streamRate = (mk: () => { update(v: number): number }): number =>
    rate(N, 3, () => {
      const s = mk();
      let acc = 0;
      for (let i = 0; i < N; i++) acc += s.update(close[i]!) || 0;
      return acc;
    });
  add('stream SmaStream(20).update x 10M', streamRate(() => new SmaStream(20)), 10e6, 'updates/s');
  add('stream EmaStream(20).update x 10M', streamRate(() => new EmaStream(20)), 10e6, 'updates/s');
  add('stream RsiStream(14).update x 10M', streamRate(() => new RsiStream(14)), 10e6, 'updates/s');
  add('stream MacdStream(12,26,9).update x 10M', streamRate(() => new MacdStream(12, 26, 9)), undefined, 'updates/s');
  add('stream BollingerStream(20,2).update x 10M', streamRate(() => new BollingerStream(20, 2)), undefined, 'updates/s');
  add('stream ZscoreStream(20).update x 10M', streamRate(() => new ZscoreStream(20)), undefined, 'updates/s');

  const hlcRate = (mk: () => { update(h: number, l: number, c: number): number }): number =>
    rate(N, 2, () => {
      const s = mk();
      let acc = 0;
      for (let i = 0; i < N; i++) acc += s.update(high[i]!, low[i]!, close[i]!) || 0;
      return acc;
    });
  add('stream AtrStream(14).update x 10M', hlcRate(() => new AtrStream(14)), undefined, 'updates/s');
  add('stream AdxStream(14).update x 10M', hlcRate(() => new AdxStream(14)), undefined, 'updates/s');
  add('stream StochStream(14,3,3).update x 10M', hlcRate(() => new StochStream(14, 3, 3)), undefined, 'updates/s');
  add('stream DonchianStream(20).update x 10M', hlcRate(() => { const d = new DonchianStream(20); return { update: (h: number, l: number) => d.update(h, l) }; }), undefined, 'updates/s');

  add('batch macd(12,26,9) over 10M', rate(N, 2, () => macd(close, 12, 26, 9).hist[N - 1]!));
  add('batch bollinger(20,2) over 10M', rate(N, 2, () => bollinger(close, 20, 2).upper[N - 1]!));
  add('batch atr(14) over 10M', rate(N, 2, () => atr(high, low, close, 14)[N - 1]!));
  add('batch adx(14) over 10M', rate(N, 2, () => adx(high, low, close, 14).adx[N - 1]!));
  add('batch stoch(14,3,3) over 10M', rate(N, 2, () => stoch(high, low, close, 14, 3, 3).d[N - 1]!));
  add('batch donchian(20) over 10M', rate(N, 2, () => donchian(high, low, 20).middle[N - 1]!));
  add('batch zscore(20) over 10M', rate(N, 2, () => zscore(close, 20)[N - 1]!));
  return out;
}
