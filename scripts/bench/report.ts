/**
 * Issue-12 target: writing report.html for a 73k-candle backtest (simple_ma on all of BTC/USDT
 * 1h) adds at most half of that backtest's own time, both measured in the same run: the backtest
 * (store read, loop, accounting, metrics, CSVs; strategy start excluded as in backtest.ts) writes
 * its report files inside writeResults, which times them apart (timings.reportMs). Best of 5.
 * Measured twice: report.html alone (the target), and with equity.png + drawdown.png as well.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { runBacktest } from '../../src/app/modes/backtest.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { HAS_SHARED_DATA } from '../../tests/support/shared-data.ts';
import { configWith, importShared, tempWorkspace } from '../../tests/support/backtest-env.ts';
import type { BenchResult } from './types.ts';

export async function run(): Promise<BenchResult[]> {
  if (!HAS_SHARED_DATA) return [{ name: 'report bench skipped: ../shared/data absent', value: 0, unit: '-' }];
  const ws = tempWorkspace('ct-bench-report-');
  const base = [
    ...ws.sets, 'backtest.data_exchange=binance', 'backtest.from=2018-01-01', 'backtest.to=2026-05-16T19:00:00Z', 'backtest.auto_download=false',
    'market.symbols=BTC/USDT', 'strategies.enabled=simple_ma', 'strategies.isolation=inline',
  ];
  await importShared(configWith(base).config.general.data_dir, [{ file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' }]);
  const out: BenchResult[] = [];
  for (const png of [false, true]) {
    const { config, raw } = configWith([...base, 'report.html=true', `report.png=${png}`]);
    let best = { ratio: Infinity, backtestMs: 0, reportMs: 0, size: 0, candles: 0 };
    for (let rep = 0; rep < 5; rep++) {
      const r = await runBacktest({ config, raw, logger: silentLogger() });
      const t = r.timings;
      const backtestMs = t.loadMs + t.loopMs + t.resultsMs - t.reportMs;
      const ratio = t.reportMs / backtestMs;
      if (ratio < best.ratio) best = { ratio, backtestMs, reportMs: t.reportMs, size: statSync(join(r.resultsDir, 'report.html')).size, candles: r.candles };
    }
    const what = png ? 'report.html + equity.png + drawdown.png' : 'report.html';
    out.push({ name: `BTC 1h ${best.candles} candles: backtest without the report`, value: best.backtestMs, unit: 'ms' });
    out.push({ name: `${what} (${(best.size / 1e6).toFixed(1)} MB page, MC ${config.report.monte_carlo_runs} runs)`, value: best.reportMs, unit: 'ms' });
    out.push({ name: `${what} time / backtest time`, value: best.ratio, unit: 'x', ...(png ? {} : { target: '<= 0.5x', pass: best.ratio <= 0.5 }) });
  }
  return out;
}
