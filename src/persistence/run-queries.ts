import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CtError } from '../core/errors.ts';
import type { EquitySnapshot } from '../domain/equity.ts';
import type { Fill, FillReason, Side } from '../domain/order.ts';
import type { Trade } from '../domain/trade.ts';
import { DEFAULT_DB_BUSY_TIMEOUT_MS } from './db-busy.ts';
import type { RunStatus } from './runs.ts';
import type { StateDb } from './state-db.ts';

/**
 * Read-side queries of the operator view (`runs`, `runs show`, a daemon's results at its end).
 * They never write: `openStateDbReadOnly` opens the file read-only, so listing runs while a daemon
 * trades is a WAL reader beside the one writer and never takes its lock.
 */

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'interrupted', 'failed', 'crashed', 'abandoned'];

/** Oldest schema these queries understand (runs.account, pid, last_step_ts, resumed_from). */
const MIN_SCHEMA = 3;

/** State/trading.db opened read-only, or undefined when the file does not exist yet (no run ever started). */
export function openStateDbReadOnly(stateDir: string, busyTimeoutMs = DEFAULT_DB_BUSY_TIMEOUT_MS): StateDb | undefined {
  const path = join(stateDir, 'trading.db');
  if (!existsSync(path)) return undefined;
  let db: StateDb;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  } catch (e) {
    throw new CtError('CT_ERR_DB_MIGRATION', `${path}: cannot open the state database read-only (${(e as Error).message})`, { cause: e, details: { path } });
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version < MIN_SCHEMA) {
    db.close();
    throw new CtError('CT_ERR_DB_MIGRATION', `${path}: schema version ${version} is older than ${MIN_SCHEMA}; start any run once to migrate it, then list runs`, { details: { path, version } });
  }
  return db;
}

/** One line of `runs`: the run row with its last equity, open positions and fill count. */
export interface RunListRow {
  readonly id: string;
  readonly mode: string;
  readonly status: RunStatus;
  readonly account: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** Candle time of the last step: runs.last_step_ts, else its last equity row (a backtest writes no last_step_ts). */
  readonly lastStepTs: number | null;
  readonly pid: number | null;
  readonly resumedFrom: string | null;
  readonly error: string | null;
  /** Equity of its last equity row, null before its first step. */
  readonly equity: number | null;
  readonly openPositions: number;
  readonly fills: number;
}

export interface RunFilter {
  readonly mode?: string;
  readonly status?: RunStatus;
  readonly account?: string;
  /** At most this many, newest first; 0 = all. */
  readonly limit: number;
}

const LIST_SQL = `
  SELECT r.id, r.mode, r.status, r.account, r.started_at AS startedAt, r.ended_at AS endedAt, r.pid,
         r.resumed_from AS resumedFrom, r.error,
         COALESCE(r.last_step_ts, (SELECT MAX(e.ts) FROM equity e WHERE e.run_id = r.id)) AS lastStepTs,
         (SELECT e.equity FROM equity e WHERE e.run_id = r.id ORDER BY e.ts DESC LIMIT 1) AS equity,
         (SELECT COUNT(*) FROM positions p WHERE p.run_id = r.id AND p.qty <> 0) AS openPositions,
         (SELECT COUNT(*) FROM fills f WHERE f.run_id = r.id) AS fills
  FROM runs r`;

/** Runs newest first (by start time; the insertion order breaks a tie), filtered. */
export function listRuns(db: StateDb, f: RunFilter): RunListRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.mode !== undefined) (where.push('r.mode = ?'), args.push(f.mode));
  if (f.status !== undefined) (where.push('r.status = ?'), args.push(f.status));
  if (f.account !== undefined) (where.push('r.account = ?'), args.push(f.account));
  const sql = `${LIST_SQL}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY r.started_at DESC, r.rowid DESC${f.limit > 0 ? ' LIMIT ?' : ''}`;
  if (f.limit > 0) args.push(f.limit);
  return db.prepare(sql).all(...args) as RunListRow[];
}

/** One run's list row, by its exact id. */
export function runById(db: StateDb, id: string): RunListRow | undefined {
  return db.prepare(`${LIST_SQL} WHERE r.id = ?`).get(id) as RunListRow | undefined;
}

/** Ids of the runs whose id starts with `prefix`, newest first, at most `max`. */
export function runIdsStartingWith(db: StateDb, prefix: string, max: number): string[] {
  // substr, not LIKE: exact and case-sensitive, and a '%' or '_' in the prefix means itself.
  return (db.prepare('SELECT id FROM runs WHERE substr(id, 1, ?) = ? ORDER BY started_at DESC, rowid DESC LIMIT ?').all(prefix.length, prefix, max) as { id: string }[]).map((r) => r.id);
}

/** The `n` most recent run ids, newest first. */
export function recentRunIds(db: StateDb, n: number): string[] {
  return (db.prepare('SELECT id FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(n) as { id: string }[]).map((r) => r.id);
}

/** What a run's report is computed from: its own rows, in the order they were written. */
export interface RunRows {
  readonly fills: Fill[];
  readonly trades: Trade[];
  readonly equity: EquitySnapshot[];
  readonly positions: Array<{ strategyId: string; symbol: string; qty: number; avgPrice: number; updatedTs: number }>;
  /** The candles its steps traded (run_candles, traded = 1; recorded by resumable accounts), per symbol in time order. */
  readonly candles: Map<string, { ts: number[]; close: number[] }>;
  readonly configSnapshot: string;
}

export function runRows(db: StateDb, runId: string): RunRows {
  const fills = (db.prepare('SELECT id, order_id, strategy_id, symbol, side, qty, price, fee, slippage, ts, reason FROM fills WHERE run_id = ? ORDER BY rowid').all(runId) as Array<Record<string, unknown>>).map(
    (r): Fill => ({
      id: r.id as string, orderId: r.order_id as string, strategyId: r.strategy_id as string, symbol: r.symbol as string, side: r.side as Side,
      qty: r.qty as number, price: r.price as number, fee: r.fee as number, slippageCost: r.slippage as number, ts: r.ts as number, reason: r.reason as FillReason,
    }),
  );
  const trades = (db.prepare('SELECT * FROM trades WHERE run_id = ? ORDER BY rowid').all(runId) as Array<Record<string, unknown>>).map(
    (r): Trade => ({
      id: r.id as string, strategyId: r.strategy_id as string, symbol: r.symbol as string, direction: r.direction as Trade['direction'],
      entryTs: r.entry_ts as number, exitTs: r.exit_ts as number, entryPrice: r.entry_price as number, exitPrice: r.exit_price as number, qty: r.qty as number,
      grossPnl: r.gross_pnl as number, fees: r.fees as number, slippage: r.slippage as number, funding: r.funding as number, netPnl: r.net_pnl as number,
      rMultiple: r.r_multiple as number | null, mae: r.mae as number, mfe: r.mfe as number, bars: r.bars as number, exitReason: r.exit_reason as string,
    }),
  );
  const equity = db.prepare('SELECT ts, cash, equity, exposure, drawdown FROM equity WHERE run_id = ? ORDER BY ts').all(runId) as EquitySnapshot[];
  const positions = db
    .prepare('SELECT strategy_id AS strategyId, symbol, qty, avg_price AS avgPrice, updated_ts AS updatedTs FROM positions WHERE run_id = ? AND qty <> 0 ORDER BY strategy_id, symbol')
    .all(runId) as RunRows['positions'];
  const candles = new Map<string, { ts: number[]; close: number[] }>();
  for (const c of db.prepare('SELECT symbol, ts, close FROM run_candles WHERE run_id = ? AND traded = 1 ORDER BY symbol, ts').iterate(runId) as IterableIterator<{ symbol: string; ts: number; close: number }>) {
    let s = candles.get(c.symbol);
    if (s === undefined) candles.set(c.symbol, (s = { ts: [], close: [] }));
    s.ts.push(c.ts);
    s.close.push(c.close);
  }
  const snap = db.prepare('SELECT config_snapshot AS s FROM runs WHERE id = ?').get(runId) as { s: string } | undefined;
  return { fills, trades, equity, positions, candles, configSnapshot: snap?.s ?? '' };
}

/** Equity of the last committed step of `runId` (the account a resumed run started from), or undefined. */
export function lastEquityOf(db: StateDb, runId: string): number | undefined {
  return (db.prepare('SELECT equity FROM equity WHERE run_id = ? ORDER BY ts DESC LIMIT 1').get(runId) as { equity: number } | undefined)?.equity;
}
