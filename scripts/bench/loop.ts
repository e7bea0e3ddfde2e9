/**
 * The decision path alone: the candle loop with strategies (inline / worker / process), the risk
 * gate, the fill simulator and the portfolio over all of BTC/USDT 1h, with accounting to a sink
 * that discards rows. Set against backtest.ts (same run with SQLite accounting and results files)
 * it shows where an end-to-end backtest spends its time.
 */
import { startStrategyHosts } from '../../src/app/hosts.ts';
import { buildAccount, simulatedExecution } from '../../src/app/account.ts';
import { strategySpecs } from '../../src/app/strategy-specs.ts';
import { runCandleLoop } from '../../src/engine/candle-loop.ts';
import type { AccountingSink } from '../../src/engine/ports.ts';
import { ReplaySource } from '../../src/engine/sources/replay-source.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { readCsvColumns } from '../../tests/support/csv-candles.ts';
import { HAS_SHARED_DATA, sharedFile } from '../../tests/support/shared-data.ts';
import { configWith, tempWorkspace } from '../../tests/support/backtest-env.ts';
import type { BenchResult } from './types.ts';

const nullSink: AccountingSink = {
  signal() {}, decision() {}, order() {}, fill() {}, funding() {}, trade() {}, equity() {}, position() {},
  riskEvent() {}, executionNote() {}, stepDone() {}, flush() {},
};

export async function run(): Promise<BenchResult[]> {
  if (!HAS_SHARED_DATA) return [{ name: 'loop benches skipped: ../shared/data absent', value: 0, unit: '-' }];
  const cols = readCsvColumns(sharedFile('BTCUSDT-1h.csv'));
  const out: BenchResult[] = [];
  for (const isolation of (process.env.CT_BENCH_ISO ? [process.env.CT_BENCH_ISO] : ['inline', 'worker', 'process']) as Array<'inline' | 'worker' | 'process'>) {
    const { config } = configWith([...tempWorkspace('ct-bench-loop-').sets, 'market.symbols=BTC/USDT', 'strategies.enabled=simple_ma', `strategies.isolation=${isolation}`]);
    let best = Infinity;
    for (let rep = 0; rep < 4; rep++) {
      // A fresh host per repetition (strategies refuse time going backwards); its start is not timed.
      const hosts = await startStrategyHosts(strategySpecs(config, ['BTC/USDT']), config, silentLogger(), { supervised: false });
      const { portfolio, gate, execution } = buildAccount(config, 10_000, simulatedExecution(config, silentLogger()));
      const source = new ReplaySource(new Map([['BTC/USDT', cols]]), config.backtest.batch_size);
      const t0 = performance.now();
      await runCandleLoop({ source, hosts, execution, gate, portfolio, sink: nullSink, atrPeriod: 14, closeAtEnd: true });
      best = Math.min(best, performance.now() - t0);
      await hosts.stop();
    }
    out.push({ name: `decision path only (no SQLite, no results), simple_ma, ${isolation}`, value: cols.length / (best / 1000), unit: 'candles/s' });
  }
  return out;
}
