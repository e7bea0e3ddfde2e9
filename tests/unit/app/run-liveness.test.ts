import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markCrashedRuns } from '../../../src/app/run-liveness.ts';
import { probeDaemonLock, takeDaemonLock } from '../../../src/app/state-lock.ts';
import { isCtError } from '../../../src/core/errors.ts';
import { processAlive, processStartMs } from '../../../src/core/process-table.ts';
import { createLogger, type Logger } from '../../../src/observability/logger.ts';
import { openStateDb, type StateDb } from '../../../src/persistence/state-db.ts';

/** A pid that was real a moment ago and is gone now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

function workspace(): { stateDir: string; db: StateDb; log: Logger; logText(): string } {
  const root = mkdtempSync(join(tmpdir(), 'ct-live-'));
  const stateDir = join(root, 'State');
  const log = createLogger({ level: 'info', logDir: root, fileName: 't.log', human: false, stderrLevel: 'fatal' });
  return { stateDir, db: openStateDb(stateDir), log, logText: () => readFileSync(join(root, 't.log'), 'utf8') };
}

/** A `running` row as a process would have left it (pid null: written before pids were recorded). */
function running(db: StateDb, id: string, mode: string, pid: number | null, startedAt = new Date().toISOString(), lastStepTs: number | null = null): void {
  db.prepare(`INSERT INTO runs (id, mode, started_at, status, config_snapshot, pid, last_step_ts) VALUES (?, ?, ?, 'running', '', ?, ?)`).run(id, mode, startedAt, pid, lastStepTs);
}

function statuses(db: StateDb): Record<string, string> {
  return Object.fromEntries((db.prepare('SELECT id, status FROM runs').all() as Array<{ id: string; status: string }>).map((r) => [r.id, r.status]));
}

describe('which runs left running are crashed', () => {
  it('tells a live pid from a dead one and from a reused one (a process started after the run)', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(deadPid())).toBe(false);
    const start = processStartMs(process.pid)!;
    expect(Math.abs(start - (Date.now() - process.uptime() * 1000))).toBeLessThan(3_000);
    // This process cannot be the one of a run that started an hour before it did.
    expect(processAlive(process.pid, start - 3_600_000)).toBe(false);
    expect(processAlive(process.pid, start + 1_000)).toBe(true);
  });

  it('crashes dead backtests and keeps live ones when no daemon holds the lock; pid-less rows count as dead', () => {
    const w = workspace();
    running(w.db, 'bt-live', 'backtest', process.pid);
    running(w.db, 'bt-dead', 'backtest', deadPid(), undefined, 1_704_067_200_000);
    running(w.db, 'old-v2', 'backtest', null);
    running(w.db, 'fw-dead', 'forward', process.pid); // a daemon row whose daemon holds no lock is dead, whatever its pid
    markCrashedRuns(w.db, { stateDir: w.stateDir, lock: undefined, runId: 'backtest-new', log: w.log });
    expect(statuses(w.db)).toEqual({ 'bt-live': 'running', 'bt-dead': 'crashed', 'old-v2': 'crashed', 'fw-dead': 'crashed' });
    const dead = w.db.prepare(`SELECT ended_at, last_step_ts, error FROM runs WHERE id = 'bt-dead'`).get() as { ended_at: string; last_step_ts: number; error: string };
    expect(dead.ended_at).not.toBeNull();
    expect(dead.last_step_ts).toBe(1_704_067_200_000);
    expect(dead.error).toMatch(/^crashed: its process \(pid \d+\) is gone; found at the start of run backtest-new$/);
    expect(w.logText()).toContain('marked crashed, its last committed step was 2024-01-01T00:00:00Z');
    expect(w.logText()).toContain('run old-v2 (backtest');
  });

  it('keeps the daemon run that holds the lock, and pid-less rows, while a daemon holds it; that daemon crashes every other', () => {
    const w = workspace();
    const lock = takeDaemonLock(w.stateDir, { mode: 'dry-run', runId: 'dry-live' }, w.log);
    try {
      running(w.db, 'dry-live', 'dry-run', process.pid);
      running(w.db, 'dry-dead', 'dry-run', deadPid());
      running(w.db, 'old-v2', 'forward', null);
      // A backtest starting beside the daemon: the lock is held, the holder file names dry-live.
      expect(probeDaemonLock(w.stateDir)).toEqual({ held: true, holder: expect.objectContaining({ pid: process.pid, run_id: 'dry-live', mode: 'dry-run' }) });
      markCrashedRuns(w.db, { stateDir: w.stateDir, lock: undefined, runId: 'backtest-new', log: w.log });
      expect(statuses(w.db)).toEqual({ 'dry-live': 'running', 'dry-dead': 'crashed', 'old-v2': 'running' });
      // The daemon itself at its start: no other daemon can be alive on its state dir.
      markCrashedRuns(w.db, { stateDir: w.stateDir, lock, runId: 'dry-next', log: w.log });
      expect(statuses(w.db)).toEqual({ 'dry-live': 'crashed', 'dry-dead': 'crashed', 'old-v2': 'crashed' });
    } finally {
      lock.release();
    }
  });
});

describe('the daemon lock of a state dir', () => {
  it('refuses a second holder naming the state dir and the holder, and is free again once released', () => {
    const w = workspace();
    const a = takeDaemonLock(w.stateDir, { mode: 'forward', runId: 'forward-1' }, w.log);
    let err: unknown;
    try {
      takeDaemonLock(w.stateDir, { mode: 'dry-run', runId: 'dryrun-2' }, w.log);
    } catch (e) {
      err = e;
    }
    expect(isCtError(err) && err.code).toBe('CT_ERR_STATE_LOCKED');
    expect((err as Error).message).toContain(`state dir ${w.stateDir} is in use by another daemon: pid ${process.pid} (forward run forward-1, started `);
    expect(JSON.parse(readFileSync(join(w.stateDir, 'daemon.lock'), 'utf8'))).toMatchObject({ pid: process.pid, mode: 'forward', run_id: 'forward-1' });
    a.release();
    expect(probeDaemonLock(w.stateDir)).toEqual({ held: false });
    const b = takeDaemonLock(w.stateDir, { mode: 'dry-run', runId: 'dryrun-2' }, w.log);
    b.release();
  });

  it('takes over a holder file left by a daemon that died, saying whose it was', () => {
    const w = workspace();
    const pid = deadPid();
    takeDaemonLock(w.stateDir, { mode: 'dry-run', runId: 'first' }, w.log).release();
    writeFileSync(join(w.stateDir, 'daemon.lock'), JSON.stringify({ pid, started_at: '2026-01-01T00:00:00.000Z', mode: 'forward', run_id: 'forward-gone' }));
    const lock = takeDaemonLock(w.stateDir, { mode: 'forward', runId: 'forward-next' }, w.log);
    lock.release();
    expect(w.logText()).toContain(`taking over the daemon lock left by pid ${pid} (forward run forward-gone, started 2026-01-01T00:00:00.000Z), whose process is gone`);
  });
});
