import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Timeframe } from '../../../src/core/timeframe.ts';
import type { Candle } from '../../../src/domain/candle.ts';
import { batchFromSteps, type CandleBatch, type CandleStep } from '../../../src/domain/candle-batch.ts';
import type { MarketType } from '../../../src/domain/instrument.ts';
import type { Signal } from '../../../src/domain/signal.ts';
import { StrategyRunner } from '../../../src/strategies/runner.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

/** Absolute path of the SDK, for strategy files written into temp dirs. */
export const SDK = resolve(REPO_ROOT, 'src/strategy-sdk/index.ts');
export const H = 3_600_000;
/** 2024-01-01T00:00Z: a 4h- and 1d-aligned start. */
export const T0 = 1_704_067_200_000;

/** Candles from closes: open = previous close, high/low 0.1% around the body, volume 1 (or given). */
export function candlesFromCloses(closes: readonly number[], opts: { start?: number; step?: number; volumes?: readonly number[] } = {}): Candle[] {
  const start = opts.start ?? T0;
  const step = opts.step ?? H;
  return closes.map((c, i) => {
    const o = i === 0 ? c : closes[i - 1]!;
    return { ts: start + i * step, open: o, high: Math.max(o, c) * 1.001, low: Math.min(o, c) * 0.999, close: c, volume: opts.volumes?.[i] ?? 1 };
  });
}

/** Packs per-symbol candles into one batch (steps in ts order, rows in the given symbol order). */
export function batchOf(series: Readonly<Record<string, readonly Candle[]>>): CandleBatch {
  const symbols = Object.keys(series);
  const byTs = new Map<number, Array<{ symbol: string; candle: Candle }>>();
  for (const s of symbols) for (const c of series[s]!) {
    let a = byTs.get(c.ts);
    if (!a) byTs.set(c.ts, (a = []));
    a.push({ symbol: s, candle: c });
  }
  const steps: CandleStep[] = [...byTs.keys()].sort((a, b) => a - b).map((ts) => ({ ts, candles: byTs.get(ts)! }));
  return batchFromSteps(symbols, steps);
}

export interface RunOpts {
  params?: Record<string, unknown>;
  market?: MarketType;
  timeframe?: Timeframe;
}

export async function runBuiltin(id: string, series: Readonly<Record<string, readonly Candle[]>>, o: RunOpts = {}): Promise<Signal[]> {
  const runner = await StrategyRunner.create({
    instanceId: id, strategyId: id, source: { kind: 'builtin', id }, params: o.params ?? {},
    symbols: Object.keys(series), timeframe: o.timeframe ?? '1h', market: o.market ?? 'spot',
  });
  return runner.processBatch(batchOf(series));
}

export function tempDir(prefix = 'ct-strat-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `<dir>/<id>.ts` with the given source and returns its path. */
export function writeStrategyFile(dir: string, id: string, source: string): string {
  const p = join(dir, `${id}.ts`);
  writeFileSync(p, source);
  return p;
}

/** Naive reference SMA (independent of src/indicators): NaN before n values. */
export function naiveSma(x: readonly number[], n: number): number[] {
  return x.map((_, i) => (i + 1 < n ? NaN : x.slice(i + 1 - n, i + 1).reduce((a, b) => a + b, 0) / n));
}
