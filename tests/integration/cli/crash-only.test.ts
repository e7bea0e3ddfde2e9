import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { runCliProcess } from '../../support/cli-process.ts';
import { alive, query, runRows, startCli, waitFor, type CliChild } from '../../support/daemon-process.ts';
import { expectOneCleanLine, setArgs, writeSyntheticStore } from './cli-env.ts';

/** A dry-run daemon that trades 20 steps a second until it is stopped, one strategy in its own process. */
function dryRunArgs(sets: readonly string[]): string[] {
  return ['--dry-run', '--strategies', 'simple_ma', ...setArgs([...sets, 'dry_run.speed=20'])];
}

function equityRows(stateDb: string, runId: string): number {
  return query<{ n: number }>(stateDb, 'SELECT COUNT(*) n FROM equity WHERE run_id = ?', runId)[0]!.n;
}

/** Waits until the process `pid` has a `running` row that committed at least `steps` steps; returns its id. */
async function tradingRun(stateDb: string, pid: number, steps: number): Promise<string> {
  let id = '';
  await waitFor(() => {
    const r = runRows(stateDb).find((x) => x.pid === pid && x.status === 'running');
    if (r === undefined) return false;
    id = r.id;
    return steps === 0 || equityRows(stateDb, r.id) >= steps;
  }, 90_000, `a running run of pid ${pid}`);
  return id;
}

async function stop(c: CliChild): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  c.child.kill('SIGINT');
  return c.exited;
}

describe('crash-only runs: a run whose process died is found and marked at the next start', () => {
  it('marks a dry-run daemon killed with SIGKILL as crashed, with its last committed step, and the next start trades on', async () => {
    const ws = tempWorkspace('ct-crash-kill-');
    const a = startCli(dryRunArgs(ws.sets));
    try {
      const id = await tradingRun(ws.stateDb, a.pid, 10);
      a.child.kill('SIGKILL');
      await a.exited;
      // What a killed process leaves behind: its row still says running.
      expect(runRows(ws.stateDb).find((r) => r.id === id)!.status).toBe('running');

      const b = await runCliProcess([...dryRunArgs(ws.sets), '--max-candles', '20', '--json'], 120_000);
      expect(b.stderr).not.toMatch(/CT_ERR_/);
      expect(b.code).toBe(0);
      const next = JSON.parse(b.stdout.trim().split('\n').at(-1)!) as { run_id: string; status: string; steps: number };
      expect(next).toMatchObject({ status: 'completed', steps: 20 });

      const rows = runRows(ws.stateDb);
      const old = rows.find((r) => r.id === id)!;
      // The last step it committed: its last equity row, written in the same transaction.
      const lastEquity = query<{ ts: number }>(ws.stateDb, 'SELECT MAX(ts) ts FROM equity WHERE run_id = ?', id)[0]!.ts;
      expect(old).toMatchObject({ status: 'crashed', pid: a.pid, last_step_ts: lastEquity });
      expect(old.ended_at).not.toBeNull();
      expect(old.error).toContain(`pid ${a.pid}`);
      expect(old.error).toContain(next.run_id);
      expect(rows.find((r) => r.id === next.run_id)).toMatchObject({ status: 'completed', pid: expect.any(Number) });
      expect(rows.filter((r) => r.status === 'running')).toEqual([]);
      const log = readFileSync(join(ws.root, 'logs', 'dry-run.log'), 'utf8');
      expect(log).toContain(`run ${id} (dry-run`);
      expect(log).toContain('marked crashed, its last committed step was');
      // The dead daemon's lock file was taken over, with a line saying whose it was.
      expect(log).toContain(`taking over the daemon lock left by pid ${a.pid}`);
    } finally {
      a.kill();
    }
  }, 180_000);

  it('refuses a second daemon on the same state dir with exit 2 and one line naming the state dir and the live daemon, which trades on', async () => {
    const ws = tempWorkspace('ct-crash-second-');
    const a = startCli(dryRunArgs(ws.sets));
    try {
      const id = await tradingRun(ws.stateDb, a.pid, 1);
      const b = await runCliProcess([...dryRunArgs(ws.sets), '--max-candles', '5'], 120_000);
      expect(b.code).toBe(2);
      expectOneCleanLine(b.stderr, 'CT_ERR_STATE_LOCKED', `state dir ${join(ws.root, 'State')}`, `pid ${a.pid}`, id);
      // It touched nothing: no run row of its own, and the first daemon's run is still trading.
      expect(runRows(ws.stateDb).map((r) => [r.id, r.status])).toEqual([[id, 'running']]);
      const before = equityRows(ws.stateDb, id);
      await waitFor(() => equityRows(ws.stateDb, id) > before, 30_000, 'the first daemon trading on');
      expect(await stop(a)).toEqual({ code: 0, signal: null });
      expect(runRows(ws.stateDb).map((r) => [r.id, r.status])).toEqual([[id, 'interrupted']]);
    } finally {
      a.kill();
    }
  }, 180_000);

  it('never marks a backtest that runs next to a daemon crashed, and marks a dead one', async () => {
    const ws = tempWorkspace('ct-crash-mixed-');
    await writeSyntheticStore(ws.dataDir, { symbols: ['BTC/USDT'], timeframe: '1h', from: '2024-01-01', to: '2024-04-01' });
    const backtest = [
      '--mode', 'backtest', '--strategies', 'slow_momentum', '--symbols', 'BTC/USDT',
      ...setArgs([...ws.sets, 'strategies.custom_dir=tests/fixtures/custom-strategies', 'strategy.slow_momentum.spin=5000000', 'strategies.isolation=inline',
        'backtest.data_exchange=binance', 'backtest.auto_download=false', 'backtest.from=2024-01-01', 'backtest.to=2024-04-01', 'backtest.batch_size=8']),
    ];
    const live = startCli(backtest);
    const dead = startCli(backtest);
    let daemon: CliChild | undefined;
    try {
      const liveId = await tradingRun(ws.stateDb, live.pid, 0);
      // Kept alive but idle: a stopped process is as alive as a computing one, and costs no CPU.
      live.child.kill('SIGSTOP');
      const deadId = await tradingRun(ws.stateDb, dead.pid, 0);
      dead.child.kill('SIGKILL');
      await dead.exited;

      // A daemon's start: the dead backtest is crashed, the live one is left alone.
      daemon = startCli(dryRunArgs(ws.sets));
      const daemonId = await tradingRun(ws.stateDb, daemon.pid, 1);
      const byId = (): Map<string, string> => new Map(runRows(ws.stateDb).map((r) => [r.id, r.status]));
      expect(byId().get(deadId)).toBe('crashed');
      expect(byId().get(liveId)).toBe('running');
      expect(alive(live.pid)).toBe(true);

      // A backtest's start while the daemon runs (it takes no lock): the daemon and the live backtest stay running.
      const quick = await runCliProcess([...backtest, ...setArgs(['strategy.slow_momentum.spin=0', 'backtest.to=2024-01-10']), '--json'], 120_000);
      expect(quick.stderr).not.toMatch(/CT_ERR_/);
      expect(quick.code).toBe(0);
      expect(byId().get(daemonId)).toBe('running');
      expect(byId().get(liveId)).toBe('running');

      expect(await stop(daemon)).toEqual({ code: 0, signal: null });
      live.child.kill('SIGINT');
      live.child.kill('SIGCONT');
      expect(await live.exited).toEqual({ code: 0, signal: null });
      expect(byId().get(liveId)).toBe('interrupted');
      expect(byId().get(daemonId)).toBe('interrupted');
    } finally {
      live.kill();
      dead.kill();
      daemon?.kill();
    }
  }, 240_000);
});
