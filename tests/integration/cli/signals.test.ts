import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { groupMembers, query, runRows, startCli, waitFor } from '../../support/daemon-process.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';
import { setArgs, writeSyntheticStore } from './cli-env.ts';

const SLOW = ['strategies.custom_dir=tests/fixtures/custom-strategies', 'strategies.isolation=inline', 'backtest.data_exchange=binance', 'backtest.auto_download=false', 'backtest.batch_size=8'];

function lastJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

/** Waits until a run of the given mode is trading (a committed step for a daemon, the row for a backtest). */
async function running(stateDb: string, mode: string, withStep: boolean): Promise<string> {
  let id = '';
  await waitFor(() => {
    const r = runRows(stateDb).find((x) => x.mode === mode && x.status === 'running' && (!withStep || x.last_step_ts !== null));
    id = r?.id ?? '';
    return r !== undefined;
  }, 90_000, `a running ${mode} run`);
  return id;
}

describe('SIGINT and SIGTERM end any mode as interrupted, however the CLI was launched', () => {
  it('ends an `npx tsx main.ts --mode dry-run` interrupted with its summary when Ctrl-C reaches the whole process group', async () => {
    const ws = tempWorkspace('ct-sig-npx-group-');
    const c = startCli(['--mode', 'dry-run', '--strategies', 'simple_ma', '--json', ...setArgs([...ws.sets, 'dry_run.speed=20'])], { launcher: 'npx', detached: true });
    try {
      const id = await running(ws.stateDb, 'dry-run', true);
      process.kill(-c.pid, 'SIGINT');
      // npm and its shell die of the signal themselves (npm re-raises it: the shell sees 130);
      // the daemon below them ends its run and prints its summary on the same stdout.
      expect(await c.exited).toEqual({ code: null, signal: 'SIGINT' });
      await c.closed;
      expect(lastJson<{ run_id: string; status: string }>(c.stdout())).toMatchObject({ run_id: id, status: 'interrupted' });
      expect(runRows(ws.stateDb).map((r) => [r.id, r.status])).toEqual([[id, 'interrupted']]);
      expect(c.stderr()).not.toMatch(/CT_ERR_(?!STRATEGY_DIED)/);
      await waitFor(() => groupMembers(c.pid).length === 0, 10_000, 'every process of the group gone');
    } finally {
      c.kill();
    }
  }, 180_000);

  it('stops the daemon within a few seconds when only the launched npx process is killed', async () => {
    const ws = tempWorkspace('ct-sig-npx-pid-');
    const c = startCli(['--mode', 'dry-run', '--strategies', 'simple_ma', '--json', ...setArgs([...ws.sets, 'dry_run.speed=20'])], { launcher: 'npx', detached: true });
    try {
      const id = await running(ws.stateDb, 'dry-run', true);
      process.kill(c.pid, 'SIGTERM');
      await c.exited;
      const t0 = Date.now();
      await waitFor(() => groupMembers(c.pid).length === 0, 15_000, 'the daemon and its strategy process gone');
      expect(Date.now() - t0).toBeLessThan(15_000);
      await c.closed;
      expect(runRows(ws.stateDb).map((r) => [r.id, r.status])).toEqual([[id, 'interrupted']]);
      expect(lastJson<{ status: string }>(c.stdout()).status).toBe('interrupted');
      expect(readFileSync(join(ws.root, 'logs', 'dry-run.log'), 'utf8')).toMatch(/stop requested \(its launcher \(pid \d+.*\) exited\)/);
    } finally {
      c.kill();
    }
  }, 180_000);

  it('ends a backtest interrupted on SIGTERM mid-run: results for what ran, exit 0', async () => {
    const ws = tempWorkspace('ct-sig-term-bt-');
    await writeSyntheticStore(ws.dataDir, { symbols: ['BTC/USDT'], timeframe: '1h', from: '2024-01-01', to: '2024-04-01' });
    const c = startCli(['--mode', 'backtest', '--strategies', 'slow_momentum', '--symbols', 'BTC/USDT', '--from', '2024-01-01', '--to', '2024-04-01', '--json', ...setArgs([...ws.sets, ...SLOW, 'strategy.slow_momentum.spin=2000000'])]);
    try {
      const log = join(ws.root, 'logs', 'cryptotrader.log');
      await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('backtest started'), 90_000, 'backtest started');
      c.child.kill('SIGTERM');
      expect(await c.exited).toEqual({ code: 0, signal: null });
      const s = lastJson<{ run_id: string; status: string; results_dir: string }>(c.stdout());
      expect(s.status).toBe('interrupted');
      expect(existsSync(join(s.results_dir, 'metrics.json'))).toBe(true);
      expect(runRows(ws.stateDb).map((r) => [r.id, r.status])).toEqual([[s.run_id, 'interrupted']]);
    } finally {
      c.kill();
    }
  }, 180_000);

  it('ends the run interrupted, never leaves it running, when SIGTERM comes while the CLI is still loading', async () => {
    const ws = tempWorkspace('ct-sig-startup-');
    // The signal is sent as the CLI imports the mode's module: before any session handler exists.
    const c = startCli(['--dry-run', '--strategies', 'simple_ma', '--json', ...setArgs(ws.sets)], {
      nodeArgs: ['--import', join(REPO_ROOT, 'tests', 'support', 'signal-on-import.mjs')],
      env: { CT_TEST_SIGNAL_ON_IMPORT: '/src/app/modes/dry-run.', CT_TEST_SIGNAL: 'SIGTERM' },
    });
    try {
      expect(await c.exited).toEqual({ code: 0, signal: null });
      const s = lastJson<{ run_id: string; status: string; steps: number }>(c.stdout());
      expect(s).toMatchObject({ status: 'interrupted', steps: 0 });
      expect(runRows(ws.stateDb).map((r) => [r.id, r.status])).toEqual([[s.run_id, 'interrupted']]);
    } finally {
      c.kill();
    }
  }, 120_000);

  it('ends every started sweep job interrupted on Ctrl-C and starts no more, leaving no run running', async () => {
    const ws = tempWorkspace('ct-sig-sweep-');
    await writeSyntheticStore(ws.dataDir, { symbols: ['BTC/USDT'], timeframe: '1h', from: '2024-01-01', to: '2024-04-01' });
    const grid = 'strategy.slow_momentum.spin=2000000,2000001,2000002,2000003,2000004,2000005';
    const c = startCli([...setArgs([...ws.sets, ...SLOW]), 'sweep', '--strategies', 'slow_momentum', '--symbols', 'BTC/USDT', '--from', '2024-01-01', '--to', '2024-04-01', '--threads', '2', '--grid', grid, '--json']);
    try {
      await running(ws.stateDb, 'backtest', false);
      c.child.kill('SIGINT');
      expect(await c.exited).toEqual({ code: 0, signal: null });
      const out = lastJson<{ status: string; jobs: Array<{ status: string; run_id?: string }> }>(c.stdout());
      expect(out.status).toBe('interrupted');
      expect(out.jobs).toHaveLength(6);
      const started = out.jobs.filter((j) => j.run_id !== undefined);
      expect(started.length).toBeGreaterThanOrEqual(1);
      expect(started.length).toBeLessThan(6);
      expect(out.jobs.filter((j) => j.status === 'not_started').length).toBe(6 - started.length);
      const rows = runRows(ws.stateDb);
      expect(rows.filter((r) => r.status === 'running')).toEqual([]);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(started.map((j) => j.run_id)));
      expect(rows.some((r) => r.status === 'interrupted')).toBe(true);
      // An interrupted job's results are there, for what ran.
      const done = query<{ n: number }>(ws.stateDb, 'SELECT COUNT(*) n FROM backtest_summaries')[0]!.n;
      expect(done).toBe(started.length);
    } finally {
      c.kill();
    }
  }, 180_000);
});
