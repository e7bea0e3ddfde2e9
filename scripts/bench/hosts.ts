/**
 * Strategy hosts: candles/s of simple_ma over the 73k BTCUSDT 1h candles through inline, worker
 * and process hosts (startup excluded: timing starts after the `ready` handshake), in batches of
 * 5000, sent one at a time (request/reply) and pipelined (all batches in flight). Median of 3 runs,
 * each on a fresh host. Target (issue 5): process isolation >= 500,000 candles/s.
 * Also the boundary plus the runner's bookkeeping (a strategy that decides nothing), and the
 * piscina pool: 8 independent backtest-like jobs (simple_ma with 3 parameter sets over one 1h file
 * each) on 1 vs 2 threads.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runParallel } from '../../src/workers/parallel-backtests.ts';
import { createStrategyHost } from '../../src/workers/host-factory.ts';
import type { Isolation } from '../../src/workers/strategy-host.ts';
import { SHARED_DATA, readCandleCsv, singleSymbolBatches } from './_hosts-data.ts';
import type { BenchResult } from './types.ts';

const RUNS = 3;
const BATCH = 5000;

const NULL_STRATEGY = resolve(import.meta.dirname, '_null-strategy.ts');

async function hostRun(isolation: Isolation, pipelined: boolean, nullStrategy = false): Promise<number> {
  const c = readCandleCsv('BTCUSDT-1h.csv');
  const batches = singleSymbolBatches('BTC/USDT', c, BATCH);
  const spec = nullStrategy
    ? { instanceId: 'null_strategy', strategyId: 'null_strategy', source: { kind: 'file', path: NULL_STRATEGY } as const, params: {}, symbols: ['BTC/USDT'], timeframe: '1h' as const, market: 'spot' as const }
    : { instanceId: 'simple_ma', strategyId: 'simple_ma', source: { kind: 'builtin', id: 'simple_ma' } as const, params: {}, symbols: ['BTC/USDT'], timeframe: '1h' as const, market: 'spot' as const };
  const host = createStrategyHost(spec, { isolation });
  await host.start();
  const t0 = performance.now();
  if (pipelined) await Promise.all(batches.map((b) => host.processBatch(b)));
  else for (const b of batches) await host.processBatch(b);
  await host.finish();
  const ms = performance.now() - t0;
  await host.stop();
  return (c.length / ms) * 1000;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<BenchResult[]> {
  if (!existsSync(resolve(SHARED_DATA, 'BTCUSDT-1h.csv'))) {
    console.warn(`[bench hosts] ${SHARED_DATA}/BTCUSDT-1h.csv not found: skipped`);
    return [];
  }
  const out: BenchResult[] = [];
  for (const pipelined of [false, true]) {
    for (const isolation of ['inline', 'worker', 'process'] as const) {
      const xs: number[] = [];
      for (let i = 0; i < RUNS; i++) xs.push(await hostRun(isolation, pipelined));
      const value = median(xs);
      const target = isolation === 'process' ? '>= 500,000 candles/s' : undefined;
      out.push({
        name: `simple_ma 73k BTC 1h, ${isolation} host, batch ${BATCH}${pipelined ? ', pipelined' : ''}`,
        value,
        unit: 'candles/s',
        ...(target ? { target, pass: value >= 500_000 } : {}),
      });
    }
  }
  // The boundary and the runner's bookkeeping without strategy logic: a strategy that decides nothing.
  for (const isolation of ['inline', 'worker', 'process'] as const) {
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) xs.push(await hostRun(isolation, false, true));
    out.push({ name: `transport + runner only (null strategy), ${isolation} host, batch ${BATCH}`, value: median(xs), unit: 'candles/s' });
  }
  const jobModule = resolve(import.meta.dirname, '_hosts-job.ts');
  const files = ['BTCUSDT-1h.csv', 'ETHUSDT-1h.csv', 'SOLUSDT-1h.csv', 'XRPUSDT-1h.csv', 'BNBUSDT-1h.csv'];
  const jobs = [...files, ...files.slice(0, 3)].map((file) => ({ file, symbol: `${file.slice(0, 3)}/USDT` }));
  for (const threads of [1, 2]) {
    const t0 = performance.now();
    const res = await runParallel(jobs, { threads, jobModule, exportName: 'run' });
    const s = (performance.now() - t0) / 1000;
    if (res.some((r) => !r.ok)) throw new Error(`bench hosts: a parallel job failed: ${JSON.stringify(res.find((r) => !r.ok))}`);
    out.push({ name: `piscina: ${jobs.length} jobs (simple_ma x3 param sets, 1h files), ${threads} thread(s), incl. pool start`, value: jobs.length / s, unit: 'backtests/s' });
  }
  return out;
}
