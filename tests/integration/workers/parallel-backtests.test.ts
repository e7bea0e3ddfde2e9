import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runParallel } from '../../../src/workers/parallel-backtests.ts';
import { HAS_SHARED_DATA, REPO_ROOT } from '../../support/shared-data.ts';
import { run, type SignalCountJob, type SignalCountResult } from './helpers/signal-count-job.ts';

const JOB_MODULE = resolve(REPO_ROOT, 'tests/integration/workers/helpers/signal-count-job.ts');

describe.skipIf(!HAS_SHARED_DATA)('parallel backtests on a piscina pool', () => {
  it('runs N jobs on 2 threads and returns each result in job order, equal to running it here', async () => {
    // Big jobs first, small last: completion order differs from job order.
    const jobs: SignalCountJob[] = [
      { strategy: 'simple_ma', params: {}, file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT', rows: 20_000 },
      { strategy: 'ema_cross', params: {}, file: 'ETHUSDT-1h.csv', symbol: 'ETH/USDT', rows: 15_000 },
      { strategy: 'simple_ma', params: { fast: 5, slow: 15 }, file: 'SOLUSDT-1h.csv', symbol: 'SOL/USDT', rows: 3000 },
      { strategy: 'rsi_reversion', params: {}, file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT', rows: 500 },
    ];
    const done: number[] = [];
    const outcomes = await runParallel<SignalCountJob, SignalCountResult>(jobs, { threads: 2, jobModule: JOB_MODULE, exportName: 'run', onJobDone: (i) => done.push(i) });
    expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3]);
    expect([...done].sort()).toEqual([0, 1, 2, 3]);
    for (const [i, o] of outcomes.entries()) {
      expect(o.ok).toBe(true);
      if (o.ok) expect(o.value).toEqual(await run(jobs[i]!));
    }
    expect(outcomes.every((o) => o.ok && o.value.signals > 0)).toBe(true);
  });

  it('a failing job is reported with its CtError code and does not lose the other results', async () => {
    const jobs: SignalCountJob[] = [
      { strategy: 'simple_ma', params: {}, file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT', rows: 2000 },
      { strategy: 'simple_ma', params: { fast: 60, slow: 50 }, file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT', rows: 2000 },
      { strategy: 'no_such_strategy', params: {}, file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT', rows: 10 },
    ];
    const outcomes = await runParallel<SignalCountJob, SignalCountResult>(jobs, { threads: 2, jobModule: JOB_MODULE, exportName: 'run' });
    expect(outcomes[0]).toMatchObject({ index: 0, ok: true });
    expect(outcomes[1]).toMatchObject({ index: 1, ok: false, error: { code: 'CT_ERR_STRATEGY_PARAM_INVALID' } });
    expect(outcomes[2]).toMatchObject({ index: 2, ok: false, error: { code: 'CT_ERR_STRATEGY_NOT_FOUND' } });
  });

  it('a job module without the named export fails every job with a clear message', async () => {
    const outcomes = await runParallel([{}], { threads: 1, jobModule: JOB_MODULE, exportName: 'missing' });
    expect(outcomes[0]).toMatchObject({ ok: false, error: { code: 'CT_ERR_INTERNAL' } });
    expect(outcomes[0]!.ok || outcomes[0]!.error.message).toMatch(/does not export a function "missing"/);
  });
});
