/**
 * A small backtest-like job for the piscina pool tests and the bench: runs one builtin strategy
 * over rows [0, rows) of a shared CSV with the real StrategyRunner and summarises its signals.
 */
import { StrategyRunner } from '../../../../src/strategies/runner.ts';
import { readCsvColumns } from '../../../support/csv-candles.ts';
import { sharedFile } from '../../../support/shared-data.ts';
import { batchesOf, builtinSpec } from './batches.ts';

export interface SignalCountJob {
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly file: string;
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
  const c = readCsvColumns(sharedFile(job.file));
  const runner = await StrategyRunner.create(builtinSpec(job.strategy, job.strategy, job.params, [job.symbol]));
  const rows = Math.min(job.rows, c.length);
  const ids: string[] = [];
  for (const b of batchesOf(job.symbol, c, rows, 5000)) for (const s of runner.processBatch(b)) ids.push(s.id);
  return { strategy: job.strategy, rows, signals: ids.length, firstId: ids[0] ?? null, lastId: ids.at(-1) ?? null };
}
