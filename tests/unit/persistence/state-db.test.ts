import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStateDb } from '../../../src/persistence/state-db.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/persistence/migrations.ts';
import { finishRun, insertRun } from '../../../src/persistence/runs.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

describe('state database', () => {
  it('creates State/trading.db in WAL mode with every migration applied', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-db-'));
    const db = openStateDb(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type='table' ORDER BY name`).all().map((r) => (r as { name: string }).name);
    for (const t of ['runs', 'signals', 'risk_decisions', 'orders', 'fills', 'positions', 'equity', 'backtest_summaries']) expect(tables).toContain(t);
    db.close();
  });

  it('keeps runs across reopen and does not re-apply migrations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-db-'));
    const db = openStateDb(dir);
    insertRun(db, { id: 'r1', mode: 'backtest', startedAt: '2026-01-01T00:00:00Z', configSnapshot: '[general]', gitCommit: null, pid: process.pid });
    finishRun(db, 'r1', 'completed', '2026-01-01T00:01:00Z');
    db.close();
    const again = openStateDb(dir);
    expect(again.prepare('SELECT id, status, ended_at FROM runs').all()).toEqual([{ id: 'r1', status: 'completed', ended_at: '2026-01-01T00:01:00Z' }]);
    again.close();
  });

  it('upgrades a version-2 database in place: its runs, their rows and every reference survive', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-db-'));
    const raw = new Database(join(dir, 'trading.db'));
    for (const m of MIGRATIONS.filter((x) => x.version <= 2)) raw.exec(m.sql);
    raw.pragma('user_version = 2');
    raw.prepare(`INSERT INTO runs (id, mode, started_at, status, config_snapshot) VALUES ('old', 'forward', '2026-01-01T00:00:00Z', 'running', '[general]')`).run();
    raw.prepare(`INSERT INTO fills (run_id, id, order_id, strategy_id, symbol, side, qty, price, fee, slippage, ts, reason) VALUES ('old', 'f1', 'o1', 's', 'BTCUSDT', 'buy', 1, 100, 0.1, 0, 1, 'entry')`).run();
    raw.close();
    const db = openStateDb(dir);
    expect(db.prepare(`SELECT id, status, account, pid FROM runs`).all()).toEqual([{ id: 'old', status: 'running', account: null, pid: null }]);
    expect(db.prepare(`SELECT run_id, id FROM fills`).all()).toEqual([{ run_id: 'old', id: 'f1' }]);
    // The fills' reference to runs(id) still holds after the rebuild, and the new statuses are accepted.
    expect(() => db.prepare(`INSERT INTO fills (run_id, id, order_id, strategy_id, symbol, side, qty, price, fee, slippage, ts, reason) VALUES ('nope', 'f2', 'o1', 's', 'BTCUSDT', 'buy', 1, 100, 0.1, 0, 1, 'entry')`).run()).toThrow(/FOREIGN KEY/);
    db.prepare(`UPDATE runs SET status = 'crashed' WHERE id = 'old'`).run();
    expect(() => db.prepare(`UPDATE runs SET status = 'lost' WHERE id = 'old'`).run()).toThrow(/CHECK/);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses a database written by a newer version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-db-'));
    const raw = new Database(join(dir, 'trading.db'));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openStateDb(dir)).toThrow(/CT_ERR_DB_NEWER|newer than this cryptotrader/);
  });

  it('lets several processes open a fresh database at the same moment (parallel backtests)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-db-'));
    const script = `import { openStateDb } from './src/persistence/state-db.ts'; openStateDb(${JSON.stringify(dir)}).close();`;
    const runs = Array.from({ length: 6 }, () => new Promise<{ code: number | null; err: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT });
      let err = '';
      p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      p.on('close', (code) => resolve({ code, err }));
    }));
    for (const r of await Promise.all(runs)) expect(r).toEqual({ code: 0, err: '' });
    const db = openStateDb(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  }, 30_000);
});
