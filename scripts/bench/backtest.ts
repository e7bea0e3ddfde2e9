/**
 * Issue-5 targets: simple_ma over all of BTC/USDT 1h (73k candles) end to end — store read,
 * strategy, risk, fills, SQLite accounting, metrics and results files — excluding process start;
 * inline >= 1,000,000 candles/s, process isolation >= 500,000 candles/s. Then 8 strategies x 4
 * symbols through piscina on 1 vs 2 threads, and the peak RSS of a synthetic 8-year 1m backtest.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runBacktest } from '../../src/app/modes/backtest.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { runParallel } from '../../src/workers/parallel-backtests.ts';
import { HAS_SHARED_DATA } from '../../tests/support/shared-data.ts';
import { configWith, importShared, tempWorkspace } from '../../tests/support/backtest-env.ts';
import type { BenchResult } from './types.ts';

const BUILTINS = ['simple_ma', 'ema_cross', 'rsi_reversion', 'donchian_trend', 'trend_following', 'mean_reversion', 'macd_rsi_confluence', 'cross_section_momentum'];

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  if (!HAS_SHARED_DATA) return [{ name: 'backtest benches skipped: ../shared/data absent', value: 0, unit: '-' }];
  const ws = tempWorkspace('ct-bench-bt-');
  const base = [...ws.sets, 'backtest.data_exchange=binance', 'backtest.from=2018-01-01', 'backtest.to=2026-05-16T19:00:00Z', 'backtest.auto_download=false', 'market.symbols=BTC/USDT', 'strategies.enabled=simple_ma'];
  await importShared(configWith(base).config.general.data_dir, [
    { file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' }, { file: 'ETHUSDT-1h.csv', symbol: 'ETH/USDT' },
    { file: 'SOLUSDT-1h.csv', symbol: 'SOL/USDT' }, { file: 'XRPUSDT-1h.csv', symbol: 'XRP/USDT' },
  ]);
  for (const [isolation, target] of [['inline', 1_000_000], ['worker', undefined], ['process', 500_000]] as const) {
    let best = Infinity;
    let detail = '';
    for (let rep = 0; rep < 5; rep++) {
      const { config, raw } = configWith([...base, `strategies.isolation=${isolation}`]);
      const r = await runBacktest({ config, raw, logger: silentLogger() });
      const t = r.timings;
      const ms = t.loadMs + t.loopMs + t.resultsMs; // everything except strategy process start
      if (ms < best) {
        best = ms;
        detail = `load ${t.loadMs.toFixed(0)} + loop ${t.loopMs.toFixed(0)} + results ${t.resultsMs.toFixed(0)} ms; host start ${t.hostStartMs.toFixed(0)} ms excluded`;
      }
    }
    const cps = 73_265 / (best / 1000);
    out.push({ name: `simple_ma BTC 1h end to end, ${isolation} (${detail})`, value: cps, unit: 'candles/s', ...(target ? { target: `>= ${target.toLocaleString('en')} candles/s`, pass: cps >= target } : {}) });
  }

  // 8 strategies x 4 symbols = 32 independent backtests (2022-2024), inline inside each piscina worker.
  const jobs = BUILTINS.flatMap((s) => ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'].map((sym) => ({ sets: [...base, 'backtest.from=2022-01-01', 'backtest.to=2024-01-01', `market.symbols=${sym}`, `strategies.enabled=${s}`, 'strategies.isolation=inline'] })));
  const jobModule = new URL('./_backtest-job.ts', import.meta.url).href;
  const perThreads: number[] = [];
  for (const threads of [1, Math.min(2, cpus().length)]) {
    const t0 = performance.now();
    const res = await runParallel(jobs, { threads, jobModule, exportName: 'run' });
    const s = (performance.now() - t0) / 1000;
    const failed = res.filter((x) => !x.ok).length;
    perThreads.push(jobs.length / s);
    out.push({ name: `piscina: 8 strategies x 4 symbols (32 backtests), ${threads} thread(s)${failed ? `, ${failed} FAILED` : ''}`, value: jobs.length / s, unit: 'backtests/s' });
  }
  out.push({ name: 'piscina scaling 2 threads / 1 thread', value: perThreads[1]! / perThreads[0]!, unit: 'x', target: '> 1.5x on 2 idle cores', pass: perThreads[1]! / perThreads[0]! > 1.5 });

  // Peak RSS of an 8-year 1m synthetic backtest, in its own process so nothing else counts.
  const rss = spawnSync(process.execPath, ['--import', 'tsx', join('scripts', 'bench', '_rss-1m.ts')], { encoding: 'utf8', maxBuffer: 1 << 20 });
  try {
    const j = JSON.parse(rss.stdout.trim().split('\n').at(-1)!);
    out.push({ name: `synthetic 1m backtest, ${j.candles.toLocaleString('en')} candles, simple_ma inline: peak RSS (${(j.seconds as number).toFixed(1)} s)`, value: j.maxRssMb, unit: 'MB', target: '< 1024 MB', pass: j.maxRssMb < 1024 });
  } catch {
    out.push({ name: `synthetic 1m backtest FAILED: ${rss.stderr.slice(-300)}`, value: 0, unit: '-' });
  }
  return out;
}
