import type Database from 'better-sqlite3';
import { CtError } from '../core/errors.ts';
import type { Candle } from '../domain/candle.ts';
import type { EquitySnapshot } from '../domain/equity.ts';
import type { ExecutionNote } from '../domain/execution-note.ts';
import type { Fill, OrderIntent } from '../domain/order.ts';
import type { RiskDecision } from '../domain/risk-decision.ts';
import type { RiskEvent } from '../domain/risk-event.ts';
import type { Signal } from '../domain/signal.ts';
import type { Trade } from '../domain/trade.ts';
import { accountStateStatement, runCandleStatement } from './account-state.ts';
import { busyTimeoutOf, dbLockedError, isBusyError } from './db-busy.ts';
import type { StateDb } from './state-db.ts';

// Every INSERT names its columns, in the order the values are bound.
const SIGNAL_COLS = 'run_id, id, strategy_id, symbol, ts, kind, target_exposure, stop, take_profit, confidence, reason, indicators';
const DECISION_COLS = 'run_id, signal_id, strategy_id, symbol, ts, approved, reason_code, reason, resized';
const ORDER_COLS = 'run_id, id, signal_id, strategy_id, symbol, side, qty, type, decided_ts, stop, take_profit, reduce_only';
const FILL_COLS = 'run_id, id, order_id, strategy_id, symbol, side, qty, price, fee, slippage, ts, reason';
const FUNDING_COLS = 'run_id, ts, strategy_id, symbol, rate, amount, source';
const TRADE_COLS =
  'run_id, id, strategy_id, symbol, direction, entry_ts, exit_ts, entry_price, exit_price, qty, gross_pnl, fees, slippage, funding, net_pnl, r_multiple, mae, mfe, bars, exit_reason';
const RISK_EVENT_COLS = 'run_id, seq, ts, code, kind, message';
const NOTE_COLS = 'run_id, seq, ts, order_id, strategy_id, symbol, kind, requested_qty, filled_qty, message';
const POSITION_COLS = 'run_id, strategy_id, symbol, qty, avg_price, updated_ts';
const EQUITY_COLS = 'run_id, ts, cash, equity, exposure, drawdown';
const EQUITY_ROW = '(@run,?,?,?,?,?)';
/** Equity rows per multi-row INSERT (5 * 256 + 1 parameters, far below SQLite's limit). */
const EQUITY_CHUNK_ROWS = 256;

/**
 * A durable run's commits while another connection holds the database's write lock: each attempt
 * waits at most ATTEMPT_WAIT_MS inside SQLite (a synchronous wait that blocks the event loop, so it
 * is kept short: strategy heartbeats and the live feed must go on), then the rows stay in memory
 * and `settle` retries after a pause that doubles up to RETRY_CAP_MS (the event loop runs
 * meanwhile), for as long as `timeoutMs` (general.db_busy_timeout_ms).
 */
export interface BusyPolicy {
  readonly timeoutMs: number;
  /** One call per retry (a warning line), and one when the commit went through after waiting. */
  onWait(e: { readonly attempt: number; readonly waitedMs: number; readonly timeoutMs: number; readonly rows: number; readonly committed: boolean; readonly path: string }): void;
}
const ATTEMPT_WAIT_MS = 250;
const RETRY_FIRST_MS = 250;
const RETRY_CAP_MS = 5_000;

function params(cols: string): string {
  return cols.split(',').map(() => '?').join(',');
}

/** What a durable writer records besides each step's rows (a resumable account: forward). */
export interface DurableAccountOptions {
  /**
   * The account's whole state after the step (and its time), upserted into account_state in the
   * step's own transaction: the state a restart resumes from always matches the rows committed.
   * Undefined = nothing to save yet.
   */
  readonly snapshot?: () => { readonly ts: number; readonly state: string } | undefined;
  /** Records every candle the loop processed in run_candles (traded = 1), in the step's transaction. */
  readonly recordCandles?: boolean;
  /** How a commit that finds the database locked is waited for (durable mode; a backtest fails at once with CT_ERR_DB_LOCKED). */
  readonly busy?: BusyPolicy;
}

/**
 * Writes everything the candle loop decides and does into State/trading.db, in every mode.
 * `batch` (backtest): rows are buffered and written in large transactions, equity rows with
 * multi-row INSERTs, because per-row commits would dominate a backtest's run time.
 * `durable` (forward/live/dry-run): a step is committed atomically at its end: its fills,
 * orders, positions, equity row and (forward) the account snapshot and its candles in one
 * transaction. A kill between a fill and the end of its step therefore leaves neither the fill
 * nor a snapshot that includes it; the restarted account holds what it held at the last
 * committed step, and the order that filled is still pending there (same order, same fill id).
 */
export class AccountingWriter {
  private readonly db: StateDb;
  private readonly runId: string;
  private readonly mode: 'batch' | 'durable';
  private pending: Array<() => void> = [];
  /** Equity marks not yet written, five numbers per row (ts, cash, equity, exposure, drawdown). */
  private eq = new Float64Array(5 * 1024);
  private eqRows = 0;
  private readonly st: Record<string, Database.Statement>;
  private readonly eqOne: Database.Statement;
  private eqChunk: Database.Statement | undefined;
  private readonly eqArgs = new Array<number>(EQUITY_CHUNK_ROWS * 5).fill(0);
  private readonly eqRun: { run: string };
  private readonly flushEvery: number;
  private eventSeq = 0;
  private noteSeq = 0;
  private readonly busy: BusyPolicy | undefined;
  /** Since when (Date.now()) a durable commit waits for the write lock; undefined = nothing owed. */
  private lockedSince: number | undefined;
  private readonly snapshot: DurableAccountOptions['snapshot'];
  private readonly stateSt: Database.Statement | undefined;
  /** Set only when candles are recorded, so a backtest's loop does not even call it. */
  readonly candle?: (symbol: string, c: Candle) => void;

  constructor(db: StateDb, runId: string, mode: 'batch' | 'durable', flushEvery = 20_000, durable: DurableAccountOptions = {}) {
    this.db = db;
    this.busy = durable.busy;
    this.runId = runId;
    this.mode = mode;
    this.flushEvery = flushEvery;
    if (mode === 'durable') {
      this.snapshot = durable.snapshot;
      this.stateSt = durable.snapshot !== undefined ? accountStateStatement(db) : undefined;
      if (durable.recordCandles === true) {
        const st = runCandleStatement(db);
        this.candle = (symbol, c) => {
          this.pending.push(() => st.run(runId, symbol, c.ts, c.open, c.high, c.low, c.close, c.volume, 1));
        };
      }
    }
    this.eqRun = { run: runId };
    this.st = {
      signal: db.prepare(`INSERT INTO signals (${SIGNAL_COLS}) VALUES (${params(SIGNAL_COLS)})`),
      decision: db.prepare(`INSERT INTO risk_decisions (${DECISION_COLS}) VALUES (${params(DECISION_COLS)})`),
      order: db.prepare(`INSERT INTO orders (${ORDER_COLS}) VALUES (${params(ORDER_COLS)})`),
      fill: db.prepare(`INSERT INTO fills (${FILL_COLS}) VALUES (${params(FILL_COLS)})`),
      funding: db.prepare(`INSERT INTO funding_payments (${FUNDING_COLS}) VALUES (${params(FUNDING_COLS)})`),
      trade: db.prepare(`INSERT INTO trades (${TRADE_COLS}) VALUES (${params(TRADE_COLS)})`),
      riskEvent: db.prepare(`INSERT INTO risk_events (${RISK_EVENT_COLS}) VALUES (${params(RISK_EVENT_COLS)})`),
      note: db.prepare(`INSERT INTO execution_notes (${NOTE_COLS}) VALUES (${params(NOTE_COLS)})`),
      position: db.prepare(
        `INSERT INTO positions (${POSITION_COLS}) VALUES (${params(POSITION_COLS)}) ` +
          'ON CONFLICT(run_id, strategy_id, symbol) DO UPDATE SET qty=excluded.qty, avg_price=excluded.avg_price, updated_ts=excluded.updated_ts',
      ),
      lastStep: db.prepare('UPDATE runs SET last_step_ts = ? WHERE id = ?'),
    };
    // Equity rows: the run id is bound once per statement (@run), the five numbers per row as `?`.
    this.eqOne = db.prepare(`INSERT OR REPLACE INTO equity (${EQUITY_COLS}) VALUES ${EQUITY_ROW}`);
  }

  signal(s: Signal): void {
    const r = this.runId;
    this.pending.push(() => this.st.signal!.run(r, s.id, s.strategyId, s.symbol, s.ts, s.kind, s.targetExposure, s.stop ?? null, s.takeProfit ?? null, s.confidence, s.reason, JSON.stringify(s.indicators)));
  }

  decision(d: RiskDecision): void {
    const r = this.runId;
    this.pending.push(() =>
      d.approved
        ? this.st.decision!.run(r, d.signalId, d.strategyId, d.symbol, d.ts, 1, null, d.note || null, d.resized ? 1 : 0)
        : this.st.decision!.run(r, d.signalId, d.strategyId, d.symbol, d.ts, 0, d.reasonCode, d.reason, 0),
    );
  }

  order(o: OrderIntent): void {
    const r = this.runId;
    this.pending.push(() => this.st.order!.run(r, o.id, o.signalId, o.strategyId, o.symbol, o.side, o.qty, o.type, o.decidedTs, o.stop ?? null, o.takeProfit ?? null, o.reduceOnly ? 1 : 0));
  }

  fill(f: Fill): void {
    const r = this.runId;
    this.pending.push(() => this.st.fill!.run(r, f.id, f.orderId, f.strategyId, f.symbol, f.side, f.qty, f.price, f.fee, f.slippageCost, f.ts, f.reason));
  }

  funding(ts: number, strategyId: string, symbol: string, rate: number, amount: number, source: string): void {
    const r = this.runId;
    this.pending.push(() => this.st.funding!.run(r, ts, strategyId, symbol, rate, amount, source));
  }

  trade(t: Trade): void {
    const r = this.runId;
    this.pending.push(() =>
      this.st.trade!.run(r, t.id, t.strategyId, t.symbol, t.direction, t.entryTs, t.exitTs, t.entryPrice, t.exitPrice, t.qty, t.grossPnl, t.fees, t.slippage, t.funding, t.netPnl, t.rMultiple, t.mae, t.mfe, t.bars, t.exitReason),
    );
  }

  equity(e: EquitySnapshot): void {
    let o = this.eqRows * 5;
    if (o + 5 > this.eq.length) {
      const grown = new Float64Array(this.eq.length * 2);
      grown.set(this.eq);
      this.eq = grown;
    }
    const b = this.eq;
    b[o++] = e.ts;
    b[o++] = e.cash;
    b[o++] = e.equity;
    b[o++] = e.exposure;
    b[o] = e.drawdown;
    this.eqRows++;
  }

  position(strategyId: string, symbol: string, qty: number, avgPrice: number, ts: number): void {
    const r = this.runId;
    this.pending.push(() => this.st.position!.run(r, strategyId, symbol, qty, avgPrice, ts));
  }

  riskEvent(e: RiskEvent): void {
    const r = this.runId;
    const seq = this.eventSeq++;
    this.pending.push(() => this.st.riskEvent!.run(r, seq, e.ts, e.code, e.kind, e.message));
  }

  executionNote(n: ExecutionNote): void {
    const r = this.runId;
    const seq = this.noteSeq++;
    this.pending.push(() => this.st.note!.run(r, seq, n.ts, n.orderId, n.strategyId, n.symbol, n.kind, n.requestedQty, n.filledQty, n.message));
  }

  stepDone(ts: number): void {
    if (this.mode === 'durable') {
      // The run's last committed step, in the step's own transaction: what a crash leaves behind.
      const r = this.runId;
      this.pending.push(() => this.st.lastStep!.run(ts, r));
      this.flush();
    } else if (this.pending.length + this.eqRows >= this.flushEvery) this.flush();
  }

  /** A durable commit is waiting for another connection's write lock: `settle()` before the next step. */
  get commitOwed(): boolean {
    return this.lockedSince !== undefined;
  }

  flush(): void {
    if (this.pending.length === 0 && this.eqRows === 0) return;
    // Locked: the rows wait in memory, and settle() retries them all in one transaction.
    if (this.lockedSince !== undefined) return;
    const attempted = Date.now();
    if (!this.commit()) this.lockedSince = attempted;
  }

  /**
   * Retries a durable commit that found the database locked, with a pause that grows, until it
   * goes through or general.db_busy_timeout_ms has passed since it first failed: then
   * CT_ERR_DB_LOCKED. Nothing is lost meanwhile and nothing is written twice: a failed attempt
   * rolled its transaction back, and the next one writes the same rows (and those added since).
   */
  async settle(): Promise<void> {
    const since = this.lockedSince;
    if (since === undefined) return;
    const timeoutMs = this.busy?.timeoutMs ?? 0;
    let pause = RETRY_FIRST_MS;
    for (let attempt = 1; ; attempt++) {
      const waitedMs = Date.now() - since;
      if (waitedMs >= timeoutMs) {
        // The rows stay buffered: a later flush tries them again, with a wait of its own.
        this.lockedSince = undefined;
        throw dbLockedError(this.db.name, timeoutMs);
      }
      this.busy?.onWait({ attempt, waitedMs, timeoutMs, rows: this.pendingRows(), committed: false, path: this.db.name });
      await new Promise((r) => setTimeout(r, Math.min(pause, timeoutMs - waitedMs)));
      pause = Math.min(pause * 2, RETRY_CAP_MS);
      const rows = this.pendingRows();
      if (this.commit()) {
        this.lockedSince = undefined;
        this.busy?.onWait({ attempt, waitedMs: Date.now() - since, timeoutMs, rows, committed: true, path: this.db.name });
        return;
      }
    }
  }

  private pendingRows(): number {
    return this.pending.length + this.eqRows;
  }

  /** One transaction with every buffered row; false when a durable commit found the database locked (rows kept). */
  private commit(): boolean {
    const rows = this.pending;
    const eqRows = this.eqRows;
    const durable = this.mode === 'durable';
    const full = durable ? busyTimeoutOf(this.db) : 0;
    if (durable) this.db.pragma(`busy_timeout = ${Math.min(full, ATTEMPT_WAIT_MS)}`);
    // Taken at commit time, also on a retry after a lock: the state after the last of the rows committed with it.
    const saved = this.stateSt !== undefined ? this.snapshot!() : undefined;
    try {
      this.db.transaction(() => {
        for (const w of rows) w();
        this.writeEquity(eqRows);
        if (saved !== undefined) this.stateSt!.run(this.runId, saved.ts, saved.state);
      })();
    } catch (e) {
      if (isBusyError(e)) {
        if (durable) return false;
        throw dbLockedError(this.db.name, busyTimeoutOf(this.db), e);
      }
      throw new CtError('CT_ERR_DB_WRITE', `state database: writing ${rows.length + eqRows} accounting rows failed: ${(e as Error).message}`, { cause: e });
    } finally {
      if (durable) this.db.pragma(`busy_timeout = ${full}`);
    }
    // Only now are they dropped: until the commit, they are the only copy.
    this.pending = [];
    this.eqRows = 0;
    return true;
  }

  /**
   * The first `n` buffered equity rows, EQUITY_CHUNK_ROWS per statement: binding values is the
   * cost of this table (measured ~1.3 µs per row), and one statement per chunk with the run id
   * bound once saves a tenth of it against one bound per row.
   */
  private writeEquity(n: number): void {
    const eq = this.eq;
    const K = EQUITY_CHUNK_ROWS;
    let i = 0;
    if (n >= K) {
      this.eqChunk ??= this.db.prepare(`INSERT OR REPLACE INTO equity (${EQUITY_COLS}) VALUES ${Array.from({ length: K }, () => EQUITY_ROW).join(',')}`);
      const args = this.eqArgs;
      for (; i + K <= n; i += K) {
        const base = i * 5;
        for (let k = 0; k < K * 5; k++) args[k] = eq[base + k]!;
        this.eqChunk.run(this.eqRun, args);
      }
    }
    for (; i < n; i++) {
      const o = i * 5;
      this.eqOne.run(this.eqRun, eq[o], eq[o + 1], eq[o + 2], eq[o + 3], eq[o + 4]);
    }
  }
}
