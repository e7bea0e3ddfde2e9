/**
 * Issue-12 walk-forward figures on real BTC/USDT 1h (2020-2024): a rolling walk-forward (train 180
 * days, test 60, a 3 x 3 simple_ma grid: 21 windows x 9 sets = 189 train evaluations plus 21 test
 * runs) on all cores, against a plain backtest of the same 4 years measured in the same run. The
 * evaluations are lean (no accounting rows, no results files), so their candle throughput per
 * thread should be at least a backtest's.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runBacktest } from '../../src/app/modes/backtest.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { runWalkforward } from '../../src/research/walkforward/run-walkforward.ts';
import { configWith, importShared, tempWorkspace } from '../../tests/support/backtest-env.ts';
import { HAS_SHARED_DATA, REPO_ROOT } from '../../tests/support/shared-data.ts';
import type { BenchResult } from './types.ts';

export async function run(): Promise<BenchResult[]> {
  if (!HAS_SHARED_DATA) return [{ name: 'walkforward benches skipped: ../shared/data absent', value: 0, unit: '-' }];
  const ws = tempWorkspace('ct-bench-wf-');
  const sets = [...ws.sets, 'backtest.data_exchange=binance', 'backtest.from=2020-01-01', 'backtest.to=2024-01-01', 'backtest.auto_download=false',
    'market.symbols=BTC/USDT', 'strategies.enabled=simple_ma', 'strategies.isolation=inline', 'walkforward.train_days=180', 'walkforward.test_days=60', 'walkforward.min_trades=5'];
  await importShared(ws.dataDir, [{ file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' }]);
  const { config, raw } = configWith(sets);

  let backtestMs = Infinity;
  let candles = 0;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    const r = await runBacktest({ config, raw, logger: silentLogger() });
    backtestMs = Math.min(backtestMs, performance.now() - t0);
    candles = r.candles;
  }
  const threads = cpus().length;
  const grid = [
    { key: 'strategy.simple_ma.fast', values: ['10', '20', '30'], param: 'fast' },
    { key: 'strategy.simple_ma.slow', values: ['50', '100', '200'], param: 'slow' },
  ];
  const t0 = performance.now();
  const wf = await runWalkforward({ configFile: join(REPO_ROOT, 'config', 'config.ini'), sets, config, raw, logger: silentLogger(), grid, threads });
  const wfMs = performance.now() - t0;
  const evaluations = wf.summary.window_count * wf.summary.combinations;
  // Candles the train evaluations stepped through (each window's train span, every set).
  const trainCandles = wf.windows.reduce((s, w) => s + (Date.parse(w.train_to) - Date.parse(w.train_from)) / 3_600_000, 0) * wf.summary.combinations;
  const perThread = trainCandles / (wfMs / 1000) / threads;
  const backtestCps = candles / (backtestMs / 1000);
  return [
    { name: `backtest baseline: simple_ma BTC 1h 2020-2024 (${candles} candles)`, value: backtestMs, unit: 'ms' },
    { name: `walkforward: ${wf.summary.window_count} windows x ${wf.summary.combinations} sets, ${threads} threads`, value: wfMs, unit: 'ms' },
    { name: 'walkforward / backtest wall time', value: wfMs / backtestMs, unit: 'x' },
    { name: `walkforward train evaluations (${evaluations}) per second`, value: evaluations / (wfMs / 1000), unit: 'evals/s' },
    { name: 'walkforward candle throughput per thread / backtest', value: perThread / backtestCps, unit: 'x', target: '>= 1x (lean evaluation)', pass: perThread >= backtestCps },
  ];
}
