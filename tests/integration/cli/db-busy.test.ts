import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStateDb } from '../../../src/persistence/state-db.ts';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { query, runRows, startCli, waitFor } from '../../support/daemon-process.ts';
import { expectOneCleanLine, setArgs, writeSyntheticStore } from './cli-env.ts';

const H = 3_600_000;

/** Another connection, as an operator's `sqlite3` shell or a backup would hold it: the write lock, until released. */
function holdWriteLock(stateDb: string): { release(): void } {
  const db = new Database(stateDb);
  db.exec('BEGIN IMMEDIATE');
  return {
    release() {
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

function equityCount(stateDb: string, runId: string): number {
  return query<{ n: number }>(stateDb, 'SELECT COUNT(*) n FROM equity WHERE run_id = ?', runId)[0]!.n;
}

describe('a locked state database is waited for, not fatal', () => {
  it('keeps a durable run going through a lock held longer than SQLite waits by itself, with every row written exactly once', async () => {
    const ws = tempWorkspace('ct-busy-wait-');
    const steps = 120;
    const c = startCli(['--dry-run', '--strategies', 'simple_ma', '--max-candles', String(steps), '--json', ...setArgs([...ws.sets, 'dry_run.speed=20', 'general.db_busy_timeout_ms=40000'])]);
    try {
      let id = '';
      await waitFor(() => {
        id = runRows(ws.stateDb).find((r) => r.status === 'running')?.id ?? '';
        return id !== '' && equityCount(ws.stateDb, id) >= 10;
      }, 90_000, 'the dry-run trading');
      // 16 s: longer than the 15 s busy timeout a commit used to wait before the run died.
      const lock = holdWriteLock(ws.stateDb);
      const held = equityCount(ws.stateDb, id);
      await new Promise((r) => setTimeout(r, 16_000));
      expect(equityCount(ws.stateDb, id)).toBe(held);
      lock.release();
      expect(await c.exited).toEqual({ code: 0, signal: null });
      const s = JSON.parse(c.stdout().trim().split('\n').at(-1)!) as { run_id: string; status: string; steps: number; restarts: Record<string, number> };
      expect(s).toMatchObject({ run_id: id, status: 'completed', steps });
      // The strategy process kept its heartbeats through the wait: the event loop was never blocked for long.
      expect(s.restarts).toEqual({ simple_ma: 0 });
      // Every step once, none lost: one equity row per step on a contiguous grid, and the last step recorded.
      const eq = query<{ n: number; lo: number; hi: number; d: number }>(ws.stateDb, 'SELECT COUNT(*) n, MIN(ts) lo, MAX(ts) hi, COUNT(DISTINCT ts) d FROM equity WHERE run_id = ?', id)[0]!;
      expect(eq).toMatchObject({ n: steps, d: steps });
      expect(eq.hi - eq.lo).toBe((steps - 1) * H);
      expect(runRows(ws.stateDb).find((r) => r.id === id)).toMatchObject({ status: 'completed', last_step_ts: eq.hi });
      const dupFills = query<{ n: number }>(ws.stateDb, 'SELECT COUNT(*) - COUNT(DISTINCT id) n FROM fills WHERE run_id = ?', id)[0]!.n;
      expect(dupFills).toBe(0);
      const log = readFileSync(join(ws.root, 'logs', 'dry-run.log'), 'utf8');
      const waits = log.split('\n').filter((l) => l.includes('is locked by another connection') && l.includes('commit retry'));
      expect(waits.length).toBeGreaterThanOrEqual(3);
      expect(waits[0]).toContain(ws.stateDb);
      // It went through only once the lock was gone: after the whole 16 s, past the old 15 s limit.
      const waited = /committed \d+ rows after waiting (\d+\.\d) s/.exec(log);
      expect(Number(waited?.[1])).toBeGreaterThanOrEqual(15.5);
    } finally {
      c.kill();
    }
  }, 180_000);

  it('fails a durable run with CT_ERR_DB_LOCKED naming the file once the lock outlasts general.db_busy_timeout_ms', async () => {
    const ws = tempWorkspace('ct-busy-give-up-');
    const c = startCli(['--dry-run', '--strategies', 'simple_ma', ...setArgs([...ws.sets, 'dry_run.speed=20', 'general.db_busy_timeout_ms=2000'])]);
    let lock: { release(): void } | undefined;
    try {
      await waitFor(() => runRows(ws.stateDb).some((r) => r.status === 'running' && r.last_step_ts !== null), 90_000, 'the dry-run trading');
      lock = holdWriteLock(ws.stateDb);
      const { code } = await c.exited;
      expect(code).toBe(1);
      const line = c.stderr().split('\n').filter((l) => l.startsWith('CT_ERR_'));
      expect(line).toEqual([expect.stringMatching(/^CT_ERR_DB_LOCKED: .*trading\.db is locked by another connection for more than 2 s \(general\.db_busy_timeout_ms = 2000\)/)]);
      expect(line[0]).toContain(ws.stateDb);
    } finally {
      lock?.release();
      c.kill();
    }
  }, 120_000);

  it('reports a locked database in a backtest as CT_ERR_DB_LOCKED, not as an internal bug', async () => {
    const ws = tempWorkspace('ct-busy-backtest-');
    await writeSyntheticStore(ws.dataDir, { symbols: ['BTC/USDT'], timeframe: '1h', from: '2024-01-01', to: '2024-02-01' });
    openStateDb(join(ws.root, 'State')).close();
    const lock = holdWriteLock(ws.stateDb);
    try {
      const c = startCli(['--mode', 'backtest', '--strategies', 'simple_ma', '--symbols', 'BTC/USDT', ...setArgs([...ws.sets, 'backtest.data_exchange=binance', 'backtest.auto_download=false',
        'backtest.from=2024-01-01', 'backtest.to=2024-02-01', 'strategies.isolation=inline', 'general.db_busy_timeout_ms=1500'])]);
      expect(await c.exited).toEqual({ code: 1, signal: null });
      expectOneCleanLine(c.stderr(), 'CT_ERR_DB_LOCKED', `${ws.stateDb} is locked by another connection for more than 1.5 s`);
    } finally {
      lock.release();
    }
  }, 120_000);
});
