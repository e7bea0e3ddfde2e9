import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { insertRun } from '../../../src/persistence/runs.ts';
import { openStateDb } from '../../../src/persistence/state-db.ts';
import { StrategyEventWriter } from '../../../src/persistence/strategy-events.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('strategy events', () => {
  it('are numbered per run in arrival order, with the state as kind and the error code when there is one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-events-'));
    dirs.push(dir);
    const db = openStateDb(dir);
    for (const id of ['r1', 'r2']) insertRun(db, { id, mode: 'forward', startedAt: '2026-01-01T00:00:00Z', configSnapshot: '', gitCommit: null, pid: process.pid });
    const r1 = new StrategyEventWriter(db, 'r1');
    const r2 = new StrategyEventWriter(db, 'r2');
    r1.record({ instanceId: 'crash_once', kind: 'up', code: null, message: 'state up, restarts 0' });
    r2.record({ instanceId: 'simple_ma', kind: 'up', code: null, message: 'state up, restarts 0' });
    r1.record({ instanceId: 'crash_once', kind: 'down', code: 'CT_ERR_STRATEGY_DIED', message: 'strategy crash_once: guest process exited (code 3)' });
    const rows = db.prepare('SELECT run_id, seq, instance_id, kind, code, message FROM strategy_events ORDER BY run_id, seq').all();
    expect(rows).toEqual([
      { run_id: 'r1', seq: 0, instance_id: 'crash_once', kind: 'up', code: null, message: 'state up, restarts 0' },
      { run_id: 'r1', seq: 1, instance_id: 'crash_once', kind: 'down', code: 'CT_ERR_STRATEGY_DIED', message: 'strategy crash_once: guest process exited (code 3)' },
      { run_id: 'r2', seq: 0, instance_id: 'simple_ma', kind: 'up', code: null, message: 'state up, restarts 0' },
    ]);
    db.close();
  });
});
