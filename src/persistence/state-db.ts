import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CtError } from '../core/errors.ts';
import { DEFAULT_DB_BUSY_TIMEOUT_MS, dbLockedError, isBusyError } from './db-busy.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';

export type StateDb = Database.Database;

export interface StateDbOptions {
  /** How long a statement waits for another connection's lock before SQLITE_BUSY (general.db_busy_timeout_ms). */
  readonly busyTimeoutMs?: number;
  readonly fileName?: string;
}

/**
 * Opens State/trading.db: WAL (readers never block the writer), foreign keys on, a busy timeout,
 * and every pending migration applied in one transaction each. The daemon's main process is the
 * ONE writer; strategy processes never open the database.
 */
export function openStateDb(stateDir: string, opts: StateDbOptions = {}): StateDb {
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, opts.fileName ?? 'trading.db');
  const busyTimeoutMs = opts.busyTimeoutMs ?? DEFAULT_DB_BUSY_TIMEOUT_MS;
  let db: StateDb;
  try {
    db = new Database(path);
    // The busy timeout goes first: parallel backtests (sweep) open the same file at once, and
    // switching to WAL or migrating must wait for the other connection instead of failing.
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // NORMAL, in every mode. In WAL mode a commit then writes the WAL without fsync: a committed
    // transaction survives a crash of this process (the bytes are in the OS), and only an OS
    // crash or power loss can take back the transactions committed since the last checkpoint
    // (the database itself stays consistent). FULL would fsync at every commit, i.e. every step
    // and fill in durable mode. OFF would skip the fsync at checkpoints too, which risks
    // corrupting this file (shared by every run) on power loss, and measured no faster for a
    // backtest: its cost is building rows, not syncing (docs/benchmarks.md).
    db.pragma('synchronous = NORMAL');
  } catch (e) {
    if (isBusyError(e)) throw dbLockedError(path, busyTimeoutMs, e);
    throw new CtError('CT_ERR_DB_MIGRATION', `${path}: cannot open the state database (${(e as Error).message})`, { cause: e, details: { path } });
  }
  try {
    migrate(db, path);
  } catch (e) {
    db.close();
    throw isBusyError(e) ? dbLockedError(path, busyTimeoutMs, e) : e;
  }
  return db;
}

export function migrate(db: StateDb, path = 'state db'): void {
  // Up to date (the common case): no write lock needed, so a file that another connection is
  // writing to opens at once and only this connection's first write waits for the lock.
  if ((db.pragma('user_version', { simple: true }) as number) === SCHEMA_VERSION) return;
  // Foreign keys off while migrating (a pragma that is a no-op inside a transaction, so it is
  // set around it): a migration may rebuild a table others reference, SQLite's documented way
  // to change a table's constraints. migrateLocked checks every reference before committing.
  const fk = db.pragma('foreign_keys', { simple: true }) as number;
  if (fk) db.pragma('foreign_keys = OFF');
  try {
    // Read the version and apply migrations under one write lock (BEGIN IMMEDIATE), so two
    // connections opening a fresh file together cannot both run migration 1.
    db.transaction(() => migrateLocked(db, path)).immediate();
  } finally {
    if (fk) db.pragma('foreign_keys = ON');
  }
}

function migrateLocked(db: StateDb, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new CtError('CT_ERR_DB_NEWER', `${path}: schema version ${current} is newer than this cryptotrader understands (${SCHEMA_VERSION}); upgrade cryptotrader`, {
      details: { path, current, supported: SCHEMA_VERSION },
    });
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    try {
      // Nested in the outer IMMEDIATE transaction (a savepoint): a failing migration rolls the
      // whole upgrade back, and the file stays at the version it had.
      db.transaction(() => {
        db.exec(m.sql);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`${broken.length} rows would reference a missing row: ${JSON.stringify(broken[0])}`);
        db.pragma(`user_version = ${m.version}`);
      })();
    } catch (e) {
      throw new CtError('CT_ERR_DB_MIGRATION', `${path}: migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, {
        cause: e,
        details: { path, version: m.version },
      });
    }
  }
}
