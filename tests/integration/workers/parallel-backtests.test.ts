import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runParallel } from '../../../src/workers/parallel-backtests.ts';
import { HAS_SHARED_DATA, REPO_ROOT } from '../../support/shared-data.ts';
import { run, type SignalCountJob, type SignalCountResult } from './helpers/signal-count-job.ts';

const JOB_MODULE = resolve(REPO_ROOT, 'tests/integration/workers/helpers/signal-count-job.ts');

const CASES = [
  { name: 'the seeded synthetic market', data: 'synthetic', available: true, rows: [4320, 3000, 1500, 500] },
  { name: 'real data', data: 'real', available: HAS_SHARED_DATA, rows: [20_000, 15_000, 3000, 500] },
] as const;

for (const c of CASES) {
  describe.skipIf(!c.available)(`parallel backtests on a piscina pool (${c.name})`, () => {
    const job = (strategy: string, params: Record<string, unknown>, symbol: string, rows: number): SignalCountJob => ({ strategy, params, data: c.data, symbol, rows });

    it('runs N jobs on 2 threads and returns each result in job order, equal to running it here', async () => {
      // Big jobs first, small last: completion order differs from job order.
      const jobs = [
        job('simple_ma', {}, 'BTC/USDT', c.rows[0]),
        job('ema_cross', {}, 'ETH/USDT', c.rows[1]),
        job('simple_ma', { fast: 5, slow: 15 }, 'SOL/USDT', c.rows[2]),
        job('rsi_reversion', {}, 'BTC/USDT', c.rows[3]),
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
      const jobs = [
        job('simple_ma', {}, 'BTC/USDT', 2000),
        job('simple_ma', { fast: 60, slow: 50 }, 'BTC/USDT', 2000),
        job('no_such_strategy', {}, 'BTC/USDT', 10),
      ];
      const outcomes = await runParallel<SignalCountJob, SignalCountResult>(jobs, { threads: 2, jobModule: JOB_MODULE, exportName: 'run' });
      expect(outcomes[0]).toMatchObject({ index: 0, ok: true });
      expect(outcomes[1]).toMatchObject({ index: 1, ok: false, error: { code: 'CT_ERR_STRATEGY_PARAM_INVALID' } });
      expect(outcomes[2]).toMatchObject({ index: 2, ok: false, error: { code: 'CT_ERR_STRATEGY_NOT_FOUND' } });
    });
  });
}

describe('parallel backtests on a piscina pool', () => {
  it('a job module without the named export fails every job with a clear message', async () => {
    const outcomes = await runParallel([{}], { threads: 1, jobModule: JOB_MODULE, exportName: 'missing' });
    expect(outcomes[0]).toMatchObject({ ok: false, error: { code: 'CT_ERR_INTERNAL' } });
    expect(outcomes[0]!.ok || outcomes[0]!.error.message).toMatch(/does not export a function "missing"/);
  });
});
