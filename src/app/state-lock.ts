import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CtError } from '../core/errors.ts';
import type { RunMode } from '../domain/run-mode.ts';
import type { Logger } from '../observability/logger.ts';
import { isBusyError } from '../persistence/db-busy.ts';

/**
 * One daemon per state directory. The modes that trade an account without end (forward, live,
 * dry-run) take this lock before they open the state DB; backtests and sweeps never do, they run
 * next to a daemon.
 *
 * The lock itself is an OS file lock: an open SQLite connection in exclusive locking mode on
 * `State/daemon.lock.db`. The OS drops it when the process ends, however it ends (SIGKILL, power
 * loss of the process, OOM), so a lock is never stale and no pid has to be trusted to tell a live
 * daemon from a dead one. `State/daemon.lock` says who holds it (pid, start, mode, run id), for the
 * refusal line and for operators (`cat State/daemon.lock`); a file left there by a daemon that died
 * is taken over at the next start, with a log line.
 */
export const DAEMON_MODES: ReadonlySet<RunMode> = new Set<RunMode>(['forward', 'live', 'dry-run']);

export interface LockHolder {
  readonly pid: number;
  readonly started_at: string;
  readonly mode: string;
  readonly run_id: string;
}

export interface DaemonLock {
  readonly holder: LockHolder;
  /** Removes State/daemon.lock, then drops the OS lock. */
  release(): void;
}

const HOLDER_FILE = 'daemon.lock';
const LOCK_FILE = 'daemon.lock.db';
/**
 * How long taking the lock waits: a backtest looking whether it is held holds it for microseconds
 * (`probeDaemonLock`), and a daemon must not refuse to start because of that. A held lock is never
 * released before this, so a second daemon is refused after it.
 */
const TAKE_WAIT_MS = 2_000;

function readHolder(stateDir: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(join(stateDir, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
    return typeof h.pid === 'number' && typeof h.run_id === 'string' ? (h as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

function describe(h: LockHolder | undefined): string {
  return h === undefined ? 'a daemon that has not written State/daemon.lock yet' : `pid ${h.pid} (${h.mode} run ${h.run_id}, started ${h.started_at})`;
}

/** Opens the lock file and takes its exclusive lock; undefined when another connection holds it. */
function lockConnection(stateDir: string, waitMs: number): Database.Database | undefined {
  const db = new Database(join(stateDir, LOCK_FILE));
  try {
    db.pragma(`busy_timeout = ${waitMs}`);
    // No journal file beside it (OFF is refused in defensive mode): only its lock matters.
    db.pragma('journal_mode = MEMORY');
    db.pragma('locking_mode = EXCLUSIVE');
    // In exclusive locking mode the first write keeps the file's exclusive lock until close.
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS daemon_lock (note TEXT); COMMIT;');
    return db;
  } catch (e) {
    db.close();
    if (isBusyError(e)) return undefined;
    throw e;
  }
}

/**
 * Takes the state dir's daemon lock for `who`, or refuses with CT_ERR_STATE_LOCKED (exit 2)
 * naming the state dir and the live daemon.
 */
export function takeDaemonLock(stateDir: string, who: { readonly mode: RunMode; readonly runId: string }, log: Logger): DaemonLock {
  const dir = resolve(stateDir);
  mkdirSync(dir, { recursive: true });
  const db = lockConnection(dir, TAKE_WAIT_MS);
  if (db === undefined) {
    const h = readHolder(dir);
    throw new CtError('CT_ERR_STATE_LOCKED', `state dir ${dir} is in use by another daemon: ${describe(h)}; one daemon per state dir (stop it first, or give this one its own general.state_dir)`, {
      details: { stateDir: dir, ...(h ? { pid: h.pid, runId: h.run_id, mode: h.mode } : {}) },
    });
  }
  try {
    const left = readHolder(dir);
    if (left !== undefined) {
      log.warn({ stateDir: dir, previous: left }, `state dir ${dir}: taking over the daemon lock left by ${describe(left)}, whose process is gone`);
    }
    const holder: LockHolder = { pid: process.pid, started_at: new Date().toISOString(), mode: who.mode, run_id: who.runId };
    // Written whole or not at all: a reader never sees half a file.
    const tmp = join(dir, `${HOLDER_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, `${JSON.stringify(holder)}\n`);
    renameSync(tmp, join(dir, HOLDER_FILE));
    let released = false;
    return {
      holder,
      release() {
        if (released) return;
        released = true;
        // The holder file goes while the lock is still ours: after the close, the next daemon
        // may already have written its own.
        rmSync(join(dir, HOLDER_FILE), { force: true });
        db.close();
      },
    };
  } catch (e) {
    db.close();
    throw e;
  }
}

export type LockProbe = { readonly held: false } | { readonly held: true; readonly holder: LockHolder | undefined };

/**
 * Whether a daemon holds the state dir's lock, and who, without taking it (a backtest must never
 * keep a daemon from starting): a shared read of the lock file fails at once while it is held.
 */
export function probeDaemonLock(stateDir: string): LockProbe {
  const dir = resolve(stateDir);
  const file = join(dir, LOCK_FILE);
  if (!existsSync(file)) return { held: false };
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    return { held: false };
  } catch (e) {
    if (isBusyError(e)) return { held: true, holder: readHolder(dir) };
    throw e;
  } finally {
    db.close();
  }
}
