import { CtError } from '../core/errors.ts';
import type Database from 'better-sqlite3';

// The connection type is better-sqlite3's own (state-db.ts imports this module).
type StateDb = Database.Database;

/** How long a connection waits for another one's write lock unless general.db_busy_timeout_ms says otherwise. */
export const DEFAULT_DB_BUSY_TIMEOUT_MS = 60_000;

/**
 * Whether an error is SQLite saying that another connection holds the lock it needs (SQLITE_BUSY
 * and its extended codes; SQLITE_LOCKED for a conflict inside this process). Such a transaction
 * was rolled back: it can be tried again as it was.
 */
export function isBusyError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** `<path> is locked by another connection for more than N s`, naming the key that sets N. */
export function dbLockedError(path: string, timeoutMs: number, cause?: unknown): CtError {
  return new CtError(
    'CT_ERR_DB_LOCKED',
    `${path} is locked by another connection for more than ${seconds(timeoutMs)} (general.db_busy_timeout_ms = ${timeoutMs}); stop what holds it (a long transaction, a backup, an open sqlite3 shell) and start again`,
    { ...(cause !== undefined ? { cause } : {}), details: { path, timeoutMs } },
  );
}

/** The connection's own busy timeout (what its statements waited before SQLITE_BUSY). */
export function busyTimeoutOf(db: StateDb): number {
  return Number(db.pragma('busy_timeout', { simple: true }));
}

/** A busy error of `db` as CT_ERR_DB_LOCKED; anything else unchanged. */
export function lockedOr(db: StateDb, e: unknown): unknown {
  return isBusyError(e) ? dbLockedError(db.name, busyTimeoutOf(db), e) : e;
}
