/**
 * A small backtest-like job for the piscina pool tests: runs one builtin strategy over rows
 * [0, rows) of a symbol's 1h candles (the seeded synthetic market, or the real Binance CSV) with
 * the real StrategyRunner and summarises its signals.
 */
import { StrategyRunner } from '../../../../src/strategies/runner.ts';
import { REAL_SERIES, SYNTHETIC_SERIES } from '../../../support/candle-series.ts';
import { batchesOf, builtinSpec } from './batches.ts';

export interface SignalCountJob {
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly data: 'synthetic' | 'real';
  readonly symbol: string;
  readonly rows: number;
}

export interface SignalCountResult {
  readonly strategy: string;
  readonly rows: number;
  readonly signals: number;
  readonly firstId: string | null;
  readonly lastId: string | null;
}

export async function run(job: SignalCountJob): Promise<SignalCountResult> {
  const c = (job.data === 'real' ? REAL_SERIES : SYNTHETIC_SERIES).series(job.symbol);
  const runner = await StrategyRunner.create(builtinSpec(job.strategy, job.strategy, job.params, [job.symbol]));
  const rows = Math.min(job.rows, c.length);
  const ids: string[] = [];
  for (const b of batchesOf(job.symbol, c, rows, 5000)) for (const s of runner.processBatch(b)) ids.push(s.id);
  return { strategy: job.strategy, rows, signals: ids.length, firstId: ids[0] ?? null, lastId: ids.at(-1) ?? null };
}
