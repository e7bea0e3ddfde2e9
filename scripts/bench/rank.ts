/**
 * Issue-12 target: a 2-year, 5-symbol ranking run (`rank`, both built-in ranking strategies) at
 * 2-hour steps on the real 1h candles takes at most 3x a backtest of the same candles (same five
 * symbols, same range, the same two strategies, inline), measured in the same run. Both timed end
 * to end inside this process: store read, the work, SQLite rows and results files (best of 3).
 */
import { runBacktest } from '../../src/app/modes/backtest.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { runRank } from '../../src/research/rank/run-rank.ts';
import { HAS_SHARED_DATA, SPOT_1H_FILES } from '../../tests/support/shared-data.ts';
import { configWith, importShared, tempWorkspace } from '../../tests/support/backtest-env.ts';
import type { BenchResult } from './types.ts';

const SYMBOLS = SPOT_1H_FILES.map((f) => f.symbol).join(',');
const STRATEGIES = 'macd_rsi_confluence,momentum_rank';

async function best(reps: number, f: () => Promise<void>): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

export async function run(): Promise<BenchResult[]> {
  if (!HAS_SHARED_DATA) return [{ name: 'rank bench skipped: ../shared/data absent', value: 0, unit: '-' }];
  const ws = tempWorkspace('ct-bench-rank-');
  const base = [
    ...ws.sets, 'backtest.data_exchange=binance', 'backtest.auto_download=false', 'exchange.market=spot', 'market.timeframe=1h',
    'backtest.from=2023-01-01', 'backtest.to=2025-01-01', `market.symbols=${SYMBOLS}`, `rank.symbols=${SYMBOLS}`,
    `strategies.enabled=${STRATEGIES}`, `rank.strategies=${STRATEGIES}`, 'rank.shift_hours=2', 'strategies.isolation=inline',
  ];
  await importShared(ws.dataDir, SPOT_1H_FILES);
  const { config, raw } = configWith(base);
  const logger = silentLogger();
  let slices = 0;
  const backtestMs = await best(3, async () => {
    await runBacktest({ config, raw, logger });
  });
  const rankMs = await best(3, async () => {
    slices = (await runRank({ config, raw, logger })).evaluation.slices.length;
  });
  const ratio = rankMs / backtestMs;
  return [
    { name: `backtest 5 symbols x 2 years 1h (${STRATEGIES}, inline), end to end`, value: backtestMs, unit: 'ms' },
    { name: `rank 5 symbols x 2 years 1h at 2-hour steps (${STRATEGIES}; ${slices} slices), end to end`, value: rankMs, unit: 'ms' },
    { name: 'rank time / backtest time (same candles)', value: ratio, unit: 'x', target: '<= 3x', pass: ratio <= 3 },
  ];
}
