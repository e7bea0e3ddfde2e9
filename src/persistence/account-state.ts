import type Database from 'better-sqlite3';
import type { Candle, CandleColumns } from '../domain/candle.ts';
import type { Fill, FillReason, Side } from '../domain/order.ts';
import type { RunStatus } from './runs.ts';
import type { StateDb } from './state-db.ts';

/**
 * The state of resumable accounts (forward) in State/trading.db. An account is a chain of runs:
 * every process start is its own run row with `runs.account` set, and `runs.resumed_from` names
 * the run whose account it continued. Per run:
 *  - account_state: ONE row, the account's whole state after its last committed step (upserted
 *    in that step's transaction by the accounting writer);
 *  - run_candles: every candle its strategies were fed, `traded` = 1 for the steps the account
 *    traded, 0 for warm-up and for the candles that closed while the daemon was down. A resume
 *    replays the chain's candles in time order to rebuild its strategies.
 */

export interface AccountRun {
  readonly id: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly resumedFrom: string | null;
}

const RUN_CANDLE_COLS = 'run_id, symbol, ts, open, high, low, close, volume, traded';

/** INSERT of one run_candles row (the accounting writer's statement for traded steps). */
export function runCandleStatement(db: StateDb): Database.Statement {
  return db.prepare(`INSERT INTO run_candles (${RUN_CANDLE_COLS}) VALUES (?,?,?,?,?,?,?,?,?)`);
}

/** Upsert of a run's account_state row (run_id, ts, state). */
export function accountStateStatement(db: StateDb): Database.Statement {
  return db.prepare('INSERT INTO account_state (run_id, ts, state) VALUES (?,?,?) ON CONFLICT(run_id) DO UPDATE SET ts = excluded.ts, state = excluded.state');
}

/** The latest run of `account` other than `exceptRunId` (whatever its status), or undefined. */
export function latestAccountRun(db: StateDb, account: string, exceptRunId: string): AccountRun | undefined {
  const r = db
    .prepare('SELECT id, status, started_at AS startedAt, resumed_from AS resumedFrom FROM runs WHERE account = ? AND id <> ? ORDER BY started_at DESC, rowid DESC LIMIT 1')
    .get(account, exceptRunId) as AccountRun | undefined;
  return r;
}

/**
 * The runs of an account from `runId` back through `resumed_from`, newest first. A chain that
 * loops (a hand-edited database) stops at the first run seen twice.
 */
export function accountChain(db: StateDb, runId: string): AccountRun[] {
  const st = db.prepare('SELECT id, status, started_at AS startedAt, resumed_from AS resumedFrom FROM runs WHERE id = ?');
  const out: AccountRun[] = [];
  const seen = new Set<string>();
  for (let id: string | null = runId; id !== null && !seen.has(id); ) {
    seen.add(id);
    const r = st.get(id) as AccountRun | undefined;
    if (r === undefined) break;
    out.push(r);
    id = r.resumedFrom;
  }
  return out;
}

/** The newest account_state row among `runIds` (given newest first), or undefined when none has one. */
export function latestAccountState(db: StateDb, runIds: readonly string[]): { runId: string; ts: number; state: string } | undefined {
  const st = db.prepare('SELECT ts, state FROM account_state WHERE run_id = ?');
  for (const runId of runIds) {
    const r = st.get(runId) as { ts: number; state: string } | undefined;
    if (r !== undefined) return { runId, ...r };
  }
  return undefined;
}

/**
 * Starts `runId` as a run of `account` (continuing `resumedFrom`, or a new account when null), in
 * one transaction with what it carries over: the positions it holds (so its `positions` rows say
 * what the account holds, like any run's) and its copy of the account state. With `abandon`, the
 * run whose account is given up is marked `abandoned` in the same transaction.
 */
export function startAccountRun(
  db: StateDb,
  p: {
    runId: string;
    account: string;
    resumedFrom: string | null;
    abandon?: string;
    positions?: ReadonlyArray<{ strategyId: string; symbol: string; qty: number; avgPrice: number }>;
    state?: { ts: number; state: string };
  },
): void {
  db.transaction(() => {
    if (p.abandon !== undefined) db.prepare(`UPDATE runs SET status = 'abandoned', ended_at = COALESCE(ended_at, ?) WHERE id = ?`).run(new Date().toISOString(), p.abandon);
    db.prepare('UPDATE runs SET account = ?, resumed_from = ? WHERE id = ?').run(p.account, p.resumedFrom, p.runId);
    const pos = db.prepare('INSERT INTO positions (run_id, strategy_id, symbol, qty, avg_price, updated_ts) VALUES (?,?,?,?,?,?)');
    for (const x of p.positions ?? []) pos.run(p.runId, x.strategyId, x.symbol, x.qty, x.avgPrice, p.state?.ts ?? 0);
    if (p.state !== undefined) accountStateStatement(db).run(p.runId, p.state.ts, p.state.state);
  })();
}

/** Records candles the strategies of `runId` were fed outside a traded step (warm-up, downtime), in one transaction. */
export function recordUntradedCandles(db: StateDb, runId: string, candles: Iterable<{ symbol: string; candle: Candle }>): void {
  const st = runCandleStatement(db);
  db.transaction(() => {
    for (const { symbol, candle: c } of candles) st.run(runId, symbol, c.ts, c.open, c.high, c.low, c.close, c.volume, 0);
  })();
}

/**
 * Every candle the strategies of these runs were fed, per symbol in time order (a (symbol, ts)
 * seen in two runs counts once), as columns: a long account history is millions of rows.
 */
export function chainCandles(db: StateDb, runIds: readonly string[]): Map<string, CandleColumns> {
  const cols = new Map<string, number[][]>();
  if (runIds.length > 0) {
    const rows = db
      .prepare(`SELECT symbol, ts, open, high, low, close, volume FROM run_candles WHERE run_id IN (${runIds.map(() => '?').join(',')}) ORDER BY symbol, ts`)
      .raw()
      .iterate(...runIds) as IterableIterator<[string, number, number, number, number, number, number]>;
    for (const [symbol, ...v] of rows) {
      let c = cols.get(symbol);
      if (c === undefined) cols.set(symbol, (c = [[], [], [], [], [], []]));
      const ts = c[0]!;
      if (ts.length > 0 && ts[ts.length - 1] === v[0]) continue;
      for (let k = 0; k < 6; k++) c[k]!.push(v[k]!);
    }
  }
  const out = new Map<string, CandleColumns>();
  for (const [symbol, [ts, open, high, low, close, volume]] of cols) {
    out.set(symbol, { length: ts!.length, ts: Float64Array.from(ts!), open: Float64Array.from(open!), high: Float64Array.from(high!), low: Float64Array.from(low!), close: Float64Array.from(close!), volume: Float64Array.from(volume!) });
  }
  return out;
}

/**
 * The fills of these runs in the order they were committed, each with the step it was booked in:
 * its own time, except a fill of the `close` fill model, booked at the step its order was decided
 * on (it is priced at that close). Used to give a strategy that reacts to fills its fills again
 * while it is replayed.
 */
export function chainFills(db: StateDb, runIds: readonly string[], closeModel: boolean): Array<{ stepTs: number; fill: Fill }> {
  if (runIds.length === 0) return [];
  const runOrder = new Map(runIds.map((id, i) => [id, i] as const));
  type Row = { run_id: string; id: string; order_id: string; strategy_id: string; symbol: string; side: Side; qty: number; price: number; fee: number; slippage: number; ts: number; reason: FillReason; decided_ts: number | null };
  const rows = db
    .prepare(
      `SELECT f.run_id, f.id, f.order_id, f.strategy_id, f.symbol, f.side, f.qty, f.price, f.fee, f.slippage, f.ts, f.reason, o.decided_ts
       FROM fills f LEFT JOIN orders o ON o.id = f.order_id AND o.run_id IN (${runIds.map(() => '?').join(',')})
       WHERE f.run_id IN (${runIds.map(() => '?').join(',')}) ORDER BY f.rowid`,
    )
    .all(...runIds, ...runIds) as Row[];
  // Oldest run first: rowids grow with inserts, so within the chain this is commit order.
  rows.sort((a, b) => runOrder.get(b.run_id)! - runOrder.get(a.run_id)!);
  return rows.map((r) => ({
    stepTs: closeModel && r.reason === 'signal' && r.decided_ts !== null ? r.decided_ts : r.ts,
    fill: { id: r.id, orderId: r.order_id, strategyId: r.strategy_id, symbol: r.symbol, side: r.side, qty: r.qty, price: r.price, fee: r.fee, slippageCost: r.slippage, ts: r.ts, reason: r.reason },
  }));
}

/** Every fill id booked by the runs of an account (an exchange account's execution ids among them). */
export function chainFillIds(db: StateDb, runIds: readonly string[]): string[] {
  const st = db.prepare('SELECT id FROM fills WHERE run_id = ?').pluck();
  return runIds.flatMap((r) => st.all(r) as string[]);
}
