/** Piscina job for scripts/bench/hosts.ts: a simple_ma parameter sweep (3 sets, inline) over one CSV. */
import { StrategyRunner } from '../../src/strategies/runner.ts';
import { readCandleCsv, singleSymbolBatches } from './_hosts-data.ts';

export async function run(job: { file: string; symbol: string }): Promise<number> {
  const c = readCandleCsv(job.file);
  let n = 0;
  // A small parameter sweep: the shape of a real parallel-backtest job, long enough that pool start is minor.
  for (const [fast, slow] of [[10, 30], [20, 50], [50, 200]] as const) {
    const runner = await StrategyRunner.create({
      instanceId: 'simple_ma', strategyId: 'simple_ma', source: { kind: 'builtin', id: 'simple_ma' }, params: { fast, slow }, symbols: [job.symbol], timeframe: '1h', market: 'spot',
    });
    for (const b of singleSymbolBatches(job.symbol, c, 5000)) n += runner.processBatch(b).length;
  }
  return n;
}
