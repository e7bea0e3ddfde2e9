import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isCtError } from '../../../src/core/errors.ts';
import type { Fill } from '../../../src/domain/order.ts';
import { AccountingWriter, type BusyPolicy } from '../../../src/persistence/accounting-writer.ts';
import { insertRun } from '../../../src/persistence/runs.ts';
import { openStateDb, type StateDb } from '../../../src/persistence/state-db.ts';

const RUN = 'forward-20240101-000000-busy';
const H = 3_600_000;

function freshDb(busyTimeoutMs: number): { db: StateDb; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ct-busy-'));
  const db = openStateDb(dir, { busyTimeoutMs });
  insertRun(db, { id: RUN, mode: 'forward', startedAt: '2024-01-01T00:00:00.000Z', configSnapshot: '', gitCommit: null, pid: process.pid });
  return { db, path: join(dir, 'trading.db') };
}

/** A second connection (another process would do the same) holding the write lock. */
function holdLock(path: string): Database.Database {
  const other = new Database(path);
  other.exec('BEGIN IMMEDIATE');
  return other;
}

function fill(i: number): Fill {
  return { id: `f${i}`, orderId: `o${i}`, strategyId: 'st', symbol: 'BTC/USDT', side: 'buy', qty: 1, price: 100 + i, fee: 0.1, slippageCost: 0, ts: i * H, reason: 'signal' };
}

function step(w: AccountingWriter, i: number): void {
  w.fill(fill(i));
  w.equity({ ts: i * H, cash: 1000 - i, equity: 1000, exposure: 0, drawdown: 0 });
  w.stepDone(i * H);
}

function count(db: StateDb, table: string): number {
  return (db.prepare(`SELECT COUNT(*) n FROM ${table} WHERE run_id = ?`).get(RUN) as { n: number }).n;
}

describe('a durable accounting writer and a locked database', () => {
  it('keeps a step\'s rows in memory while another connection holds the lock, then commits each exactly once', async () => {
    const { db, path } = freshDb(60_000);
    const waits: Array<{ attempt: number; committed: boolean }> = [];
    const policy: BusyPolicy = { timeoutMs: 10_000, onWait: (e) => waits.push({ attempt: e.attempt, committed: e.committed }) };
    const w = new AccountingWriter(db, RUN, 'durable', undefined, { busy: policy });
    step(w, 0);
    expect(w.commitOwed).toBe(false);

    const other = holdLock(path);
    const t0 = Date.now();
    step(w, 1);
    // One attempt waits a quarter second at most: the event loop is not held for the busy timeout.
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(w.commitOwed).toBe(true);
    step(w, 2); // a later step while still locked: added to the rows that wait
    const settled = w.settle();
    setTimeout(() => {
      other.exec('ROLLBACK');
      other.close();
    }, 1_200);
    await settled;

    expect(w.commitOwed).toBe(false);
    expect(count(db, 'fills')).toBe(3);
    expect(count(db, 'equity')).toBe(3);
    expect(db.prepare('SELECT COUNT(DISTINCT id) n FROM fills WHERE run_id = ?').get(RUN)).toEqual({ n: 3 });
    expect(db.prepare('SELECT last_step_ts FROM runs WHERE id = ?').get(RUN)).toEqual({ last_step_ts: 2 * H });
    expect(waits.filter((x) => !x.committed).length).toBeGreaterThanOrEqual(1);
    expect(waits.at(-1)).toMatchObject({ committed: true });
    db.close();
  });

  it('gives up with CT_ERR_DB_LOCKED naming the file once the lock outlasts the timeout, the rows still in memory', async () => {
    const { db, path } = freshDb(60_000);
    const w = new AccountingWriter(db, RUN, 'durable', undefined, { busy: { timeoutMs: 900, onWait: () => undefined } });
    const other = holdLock(path);
    step(w, 0);
    const err = await w.settle().catch((e: unknown) => e);
    expect(isCtError(err) && err.code).toBe('CT_ERR_DB_LOCKED');
    expect((err as Error).message).toContain(`${path} is locked by another connection for more than 0.9 s`);
    other.exec('ROLLBACK');
    other.close();
    // Nothing was lost: the next commit writes them.
    w.flush();
    await w.settle();
    expect(count(db, 'fills')).toBe(1);
    db.close();
  });

  it('reports a lock that outlasts the busy timeout in batch mode (backtests) as CT_ERR_DB_LOCKED', () => {
    const { db, path } = freshDb(300);
    const w = new AccountingWriter(db, RUN, 'batch');
    const other = holdLock(path);
    step(w, 0);
    let err: unknown;
    try {
      w.flush();
    } catch (e) {
      err = e;
    }
    expect(isCtError(err) && err.code).toBe('CT_ERR_DB_LOCKED');
    expect((err as Error).message).toContain(`${path} is locked by another connection for more than 0.3 s (general.db_busy_timeout_ms = 300)`);
    other.exec('ROLLBACK');
    other.close();
    db.close();
  });
});
