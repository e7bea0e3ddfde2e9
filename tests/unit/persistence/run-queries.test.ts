import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { resolveRun } from '../../../src/app/run-results.ts';
import { isCtError } from '../../../src/core/errors.ts';
import { listRuns, openStateDbReadOnly } from '../../../src/persistence/run-queries.ts';
import { finishRun, insertRun } from '../../../src/persistence/runs.ts';
import { openStateDb } from '../../../src/persistence/state-db.ts';

/** A state dir with three runs written through the real writer's tables. */
function stateWithRuns(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ct-runq-'));
  const db = openStateDb(dir);
  const run = (id: string, mode: 'forward' | 'dry-run', at: string): void => insertRun(db, { id, mode, startedAt: at, configSnapshot: '[general]\n', gitCommit: null, pid: 1 });
  run('forward-a%1', 'forward', '2026-01-01T00:00:00Z');
  run('forward-ab2', 'forward', '2026-01-02T00:00:00Z');
  run('dryrun-x', 'dry-run', '2026-01-03T00:00:00Z');
  finishRun(db, 'forward-a%1', 'crashed', '2026-01-01T01:00:00Z', 'pid 1 gone');
  db.prepare("UPDATE runs SET account = 'desk' WHERE mode = 'forward'").run();
  const pos = db.prepare('INSERT INTO positions (run_id, strategy_id, symbol, qty, avg_price, updated_ts) VALUES (?, ?, ?, ?, ?, ?)');
  pos.run('forward-ab2', 's', 'BTC/USDT', 0.5, 100, 1);
  pos.run('forward-ab2', 's', 'ETH/USDT', 0, 10, 1);
  const eq = db.prepare('INSERT INTO equity (run_id, ts, cash, equity, exposure, drawdown) VALUES (?, ?, ?, ?, ?, ?)');
  eq.run('forward-ab2', 2, 0, 105, 0.5, 0);
  eq.run('forward-ab2', 1, 0, 101, 0.5, 0);
  db.close();
  return dir;
}

describe('run queries of the operator view', () => {
  it('lists newest first with the last equity row and only the positions that are open', () => {
    const db = openStateDbReadOnly(stateWithRuns())!;
    try {
      const rows = listRuns(db, { limit: 0 });
      expect(rows.map((r) => r.id)).toEqual(['dryrun-x', 'forward-ab2', 'forward-a%1']);
      expect(rows[1]).toMatchObject({ equity: 105, openPositions: 1, fills: 0, lastStepTs: 2, account: 'desk' });
      expect(rows[2]).toMatchObject({ status: 'crashed', equity: null, error: 'pid 1 gone', lastStepTs: null });
      expect(listRuns(db, { limit: 0, account: 'desk', status: 'running' }).map((r) => r.id)).toEqual(['forward-ab2']);
    } finally {
      db.close();
    }
  });

  it('opens the database read-only: it cannot write to it', () => {
    const db = openStateDbReadOnly(stateWithRuns())!;
    try {
      expect(() => db.prepare("UPDATE runs SET status = 'failed'").run()).toThrow(/readonly/);
    } finally {
      db.close();
    }
  });

  it('takes a prefix that names one run, literally (a % in it is no wildcard), and refuses ambiguous or unknown ones', () => {
    const db = openStateDbReadOnly(stateWithRuns())!;
    try {
      expect(resolveRun(db, 'dry').id).toBe('dryrun-x');
      expect(resolveRun(db, 'forward-a%').id).toBe('forward-a%1');
      const fail = (id: string): string => {
        try {
          resolveRun(db, id);
        } catch (e) {
          if (isCtError(e)) return e.toLine();
        }
        return 'no error';
      };
      expect(fail('forward-a')).toMatch(/^CT_ERR_USAGE: run id "forward-a" is ambiguous: 2 runs start with it \(forward-ab2, forward-a%1\)/);
      expect(fail('dryrun-y')).toBe('CT_ERR_USAGE: run id "dryrun-y": no such run in the state database (did you mean "dryrun-x"?)');
      expect(fail('Dryrun')).toMatch(/no such run/);
    } finally {
      db.close();
    }
  });

  it('has no database to open before the first run, and refuses one older than the run columns', () => {
    const empty = mkdtempSync(join(tmpdir(), 'ct-runq-'));
    expect(openStateDbReadOnly(empty)).toBeUndefined();
    const old = new Database(join(empty, 'trading.db'));
    old.pragma('user_version = 2');
    old.close();
    expect(() => openStateDbReadOnly(empty)).toThrow(/schema version 2 is older than 3/);
  });
});
