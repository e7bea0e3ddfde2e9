import type Database from 'better-sqlite3';
import { CtError } from '../core/errors.ts';
import type { EquitySnapshot } from '../domain/equity.ts';
import type { ExecutionNote } from '../domain/execution-note.ts';
import type { Fill, OrderIntent } from '../domain/order.ts';
import type { RiskDecision } from '../domain/risk-decision.ts';
import type { RiskEvent } from '../domain/risk-event.ts';
import type { Signal } from '../domain/signal.ts';
import type { Trade } from '../domain/trade.ts';
import type { StateDb } from './state-db.ts';

/**
 * Writes everything the candle loop decides and does into State/trading.db, in every mode.
 * `batch` (backtest): rows are buffered and written in large transactions, equity rows with
 * multi-row INSERTs, because per-row commits would dominate a backtest's run time.
 * `durable` (forward/live/dry-run): every step's rows are committed at the end of the step, and a
 * fill is committed the moment it happens — a crash never loses a fill that was reported.
 */
export class AccountingWriter {
  private readonly db: StateDb;
  private readonly runId: string;
  private readonly mode: 'batch' | 'durable';
  private pending: Array<() => void> = [];
  private eq: number[] = [];
  private readonly st: Record<string, Database.Statement>;
  private eqChunk: Database.Statement | undefined;
  private static readonly EQ_ROWS = 128;
  private readonly flushEvery: number;
  private eventSeq = 0;
  private noteSeq = 0;

  constructor(db: StateDb, runId: string, mode: 'batch' | 'durable', flushEvery = 20_000) {
    this.db = db;
    this.runId = runId;
    this.mode = mode;
    this.flushEvery = flushEvery;
    this.st = {
      signal: db.prepare(`INSERT INTO signals VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`),
      decision: db.prepare(`INSERT INTO risk_decisions VALUES (?,?,?,?,?,?,?,?,?)`),
      order: db.prepare(`INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`),
      fill: db.prepare(`INSERT INTO fills VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`),
      funding: db.prepare(`INSERT INTO funding_payments VALUES (?,?,?,?,?,?,?)`),
      trade: db.prepare(`INSERT INTO trades VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
      equity: db.prepare(`INSERT OR REPLACE INTO equity VALUES (?,?,?,?,?,?)`),
      riskEvent: db.prepare(`INSERT INTO risk_events VALUES (?,?,?,?,?,?)`),
      note: db.prepare(`INSERT INTO execution_notes VALUES (?,?,?,?,?,?,?,?,?,?)`),
      position: db.prepare(`INSERT INTO positions VALUES (?,?,?,?,?,?) ON CONFLICT(run_id, strategy_id, symbol) DO UPDATE SET qty=excluded.qty, avg_price=excluded.avg_price, updated_ts=excluded.updated_ts`),
    };
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
    // Durable mode: a fill is committed together with everything decided before it, right now.
    if (this.mode === 'durable') this.flush();
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
    this.eq.push(e.ts, e.cash, e.equity, e.exposure, e.drawdown);
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

  stepDone(_ts: number): void {
    if (this.mode === 'durable' || this.pending.length + this.eq.length / 5 >= this.flushEvery) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0 && this.eq.length === 0) return;
    const rows = this.pending;
    const eq = this.eq;
    this.pending = [];
    this.eq = [];
    try {
      this.db.transaction(() => {
        for (const w of rows) w();
        this.writeEquity(eq);
      })();
    } catch (e) {
      throw new CtError('CT_ERR_DB_WRITE', `state database: writing ${rows.length} accounting rows failed: ${(e as Error).message}`, { cause: e });
    }
  }

  private writeEquity(eq: number[]): void {
    const n = eq.length / 5;
    const K = AccountingWriter.EQ_ROWS;
    let i = 0;
    if (n >= K) {
      this.eqChunk ??= this.db.prepare(`INSERT OR REPLACE INTO equity VALUES ${Array.from({ length: K }, () => '(?,?,?,?,?,?)').join(',')}`);
      const args = new Array<unknown>(K * 6);
      for (; i + K <= n; i += K) {
        for (let k = 0; k < K; k++) {
          const o = (i + k) * 5;
          const a = k * 6;
          args[a] = this.runId;
          args[a + 1] = eq[o];
          args[a + 2] = eq[o + 1];
          args[a + 3] = eq[o + 2];
          args[a + 4] = eq[o + 3];
          args[a + 5] = eq[o + 4];
        }
        this.eqChunk.run(args);
      }
    }
    for (; i < n; i++) {
      const o = i * 5;
      this.st.equity!.run(this.runId, eq[o], eq[o + 1], eq[o + 2], eq[o + 3], eq[o + 4]);
    }
  }
}
