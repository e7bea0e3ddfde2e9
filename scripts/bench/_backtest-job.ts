/** One backtest as a piscina job (plain data in, plain data out). */
import { runBacktest } from '../../src/app/modes/backtest.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { configWith } from '../../tests/support/backtest-env.ts';

export async function run(job: { sets: string[] }): Promise<{ candles: number; runId: string }> {
  const { config, raw } = configWith(job.sets);
  const r = await runBacktest({ config, raw, logger: silentLogger() });
  return { candles: r.candles, runId: r.runId };
}
