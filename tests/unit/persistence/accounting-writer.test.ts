import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Fill, OrderIntent } from '../../../src/domain/order.ts';
import type { Signal } from '../../../src/domain/signal.ts';
import type { Trade } from '../../../src/domain/trade.ts';
import { AccountingWriter } from '../../../src/persistence/accounting-writer.ts';
import { insertRun } from '../../../src/persistence/runs.ts';
import { openStateDb, type StateDb } from '../../../src/persistence/state-db.ts';

const RUN = 'backtest-20240101-000000-test';

function freshDb(): { db: StateDb; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ct-acct-'));
  const db = openStateDb(dir);
  insertRun(db, { id: RUN, mode: 'backtest', startedAt: '2024-01-01T00:00:00.000Z', configSnapshot: '', gitCommit: null, pid: process.pid });
  return { db, dir };
}

/** Awkward doubles: last-bit values, tiny and huge magnitudes, negative zero. */
function mark(i: number): { ts: number; cash: number; equity: number; exposure: number; drawdown: number } {
  return { ts: 1_514_764_800_000 + i * 3_600_000, cash: i % 3 === 0 ? -0 : 10_000 + i / 7, equity: 0.1 + 0.2 * i, exposure: i * 1e-17, drawdown: (i % 11) / 3 + 1e15 * (i % 2) };
}

describe('accounting writer', () => {
  it('stores one equity row per step exactly as marked, across buffer growth, multi-row chunks and several flushes', () => {
    const { db } = freshDb();
    // 2,321 rows: the first buffer holds 1,024, statements take 256 rows, a flush comes every 1,000.
    const w = new AccountingWriter(db, RUN, 'batch', 1_000);
    const n = 2_321;
    for (let i = 0; i < n; i++) {
      w.equity(mark(i));
      w.stepDone(mark(i).ts);
    }
    w.flush();
    const rows = db.prepare('SELECT ts, cash, equity, exposure, drawdown FROM equity WHERE run_id = ? ORDER BY ts').all(RUN) as ReturnType<typeof mark>[];
    expect(rows.length).toBe(n);
    for (let i = 0; i < n; i++) {
      const m = mark(i);
      expect(rows[i]).toEqual({ ...m, cash: m.cash === 0 ? 0 : m.cash });
    }
    db.close();
  });

  it('puts every value of every record in its named column', () => {
    const { db } = freshDb();
    const w = new AccountingWriter(db, RUN, 'batch');
    const signal: Signal = { id: 's1', strategyId: 'st', symbol: 'BTC/USDT', ts: 1, kind: 'enter_long', targetExposure: 0.5, stop: 90, takeProfit: 120, confidence: 0.7, reason: 'why', indicators: { sma: 1.5 } };
    const order: OrderIntent = { id: 'o1', signalId: 's1', strategyId: 'st', symbol: 'BTC/USDT', side: 'buy', qty: 2, type: 'market', decidedTs: 1, stop: 90, takeProfit: 120, reduceOnly: true };
    const fill: Fill = { id: 'f1', orderId: 'o1', strategyId: 'st', symbol: 'BTC/USDT', side: 'buy', qty: 2, price: 100.5, fee: 0.2, slippageCost: 0.01, ts: 2, reason: 'signal' };
    const trade: Trade = {
      id: 't1', strategyId: 'st', symbol: 'BTC/USDT', direction: 'long', entryTs: 2, exitTs: 3, entryPrice: 100.5, exitPrice: 110, qty: 2, grossPnl: 19,
      fees: 0.4, slippage: 0.02, funding: 0.03, netPnl: 18.57, rMultiple: 1.9, mae: -0.01, mfe: 0.1, bars: 1, exitReason: 'signal',
    };
    w.signal(signal);
    w.decision({ signalId: 's1', strategyId: 'st', symbol: 'BTC/USDT', ts: 1, approved: true, orders: [order], resized: true, note: 'resized to 2' });
    w.decision({ signalId: 's2', strategyId: 'st', symbol: 'BTC/USDT', ts: 1, approved: false, reasonCode: 'MAX_OPEN_POSITIONS', reason: 'too many' });
    w.order(order);
    w.fill(fill);
    w.funding(3, 'st', 'BTC/USDT', 0.0001, 0.03, 'stored');
    w.trade(trade);
    w.position('st', 'BTC/USDT', 2, 100.5, 2);
    w.position('st', 'BTC/USDT', 0, 0, 3);
    w.riskEvent({ ts: 3, code: 'DRAWDOWN_HALT', kind: 'tripped', message: 'drawdown' });
    w.executionNote({ ts: 3, orderId: 'o1', strategyId: 'st', symbol: 'BTC/USDT', kind: 'clamped_reduce_only', requestedQty: 2, filledQty: 1, message: 'half' });
    w.flush();
    const one = (sql: string): unknown => db.prepare(sql).get(RUN);
    expect(one('SELECT id, strategy_id, symbol, ts, kind, target_exposure, stop, take_profit, confidence, reason, indicators FROM signals WHERE run_id = ?')).toEqual({
      id: 's1', strategy_id: 'st', symbol: 'BTC/USDT', ts: 1, kind: 'enter_long', target_exposure: 0.5, stop: 90, take_profit: 120, confidence: 0.7, reason: 'why', indicators: '{"sma":1.5}',
    });
    expect(db.prepare('SELECT signal_id, approved, reason_code, reason, resized FROM risk_decisions WHERE run_id = ? ORDER BY signal_id').all(RUN)).toEqual([
      { signal_id: 's1', approved: 1, reason_code: null, reason: 'resized to 2', resized: 1 },
      { signal_id: 's2', approved: 0, reason_code: 'MAX_OPEN_POSITIONS', reason: 'too many', resized: 0 },
    ]);
    expect(one('SELECT id, signal_id, strategy_id, symbol, side, qty, type, decided_ts, stop, take_profit, reduce_only FROM orders WHERE run_id = ?')).toEqual({
      id: 'o1', signal_id: 's1', strategy_id: 'st', symbol: 'BTC/USDT', side: 'buy', qty: 2, type: 'market', decided_ts: 1, stop: 90, take_profit: 120, reduce_only: 1,
    });
    expect(one('SELECT id, order_id, strategy_id, symbol, side, qty, price, fee, slippage, ts, reason FROM fills WHERE run_id = ?')).toEqual({
      id: 'f1', order_id: 'o1', strategy_id: 'st', symbol: 'BTC/USDT', side: 'buy', qty: 2, price: 100.5, fee: 0.2, slippage: 0.01, ts: 2, reason: 'signal',
    });
    expect(one('SELECT ts, strategy_id, symbol, rate, amount, source FROM funding_payments WHERE run_id = ?')).toEqual({ ts: 3, strategy_id: 'st', symbol: 'BTC/USDT', rate: 0.0001, amount: 0.03, source: 'stored' });
    expect(one('SELECT * FROM trades WHERE run_id = ?')).toEqual({
      run_id: RUN, id: 't1', strategy_id: 'st', symbol: 'BTC/USDT', direction: 'long', entry_ts: 2, exit_ts: 3, entry_price: 100.5, exit_price: 110, qty: 2, gross_pnl: 19,
      fees: 0.4, slippage: 0.02, funding: 0.03, net_pnl: 18.57, r_multiple: 1.9, mae: -0.01, mfe: 0.1, bars: 1, exit_reason: 'signal',
    });
    expect(one('SELECT strategy_id, symbol, qty, avg_price, updated_ts FROM positions WHERE run_id = ?')).toEqual({ strategy_id: 'st', symbol: 'BTC/USDT', qty: 0, avg_price: 0, updated_ts: 3 });
    expect(one('SELECT seq, ts, code, kind, message FROM risk_events WHERE run_id = ?')).toEqual({ seq: 0, ts: 3, code: 'DRAWDOWN_HALT', kind: 'tripped', message: 'drawdown' });
    expect(one('SELECT seq, ts, order_id, strategy_id, symbol, kind, requested_qty, filled_qty, message FROM execution_notes WHERE run_id = ?')).toEqual({
      seq: 0, ts: 3, order_id: 'o1', strategy_id: 'st', symbol: 'BTC/USDT', kind: 'clamped_reduce_only', requested_qty: 2, filled_qty: 1, message: 'half',
    });
    db.close();
  });

  it('keeps a backtest in memory until it flushes, and commits a durable step, its fills included, atomically at its end', () => {
    const { db, dir } = freshDb();
    const reader = new Database(join(dir, 'trading.db'), { readonly: true });
    const count = (t: string): number => (reader.prepare(`SELECT count(*) AS n FROM ${t} WHERE run_id = ?`).get(RUN) as { n: number }).n;
    const batch = new AccountingWriter(db, RUN, 'batch');
    batch.equity(mark(0));
    batch.stepDone(mark(0).ts);
    expect(count('equity')).toBe(0);
    batch.flush();
    expect(count('equity')).toBe(1);

    const durable = new AccountingWriter(db, RUN, 'durable');
    durable.fill({ id: 'f1', orderId: 'o1', strategyId: 'st', symbol: 'BTC/USDT', side: 'buy', qty: 1, price: 1, fee: 0, slippageCost: 0, ts: 5, reason: 'signal' });
    // A kill between the fill and the end of its step leaves neither: the fill is not committed alone.
    expect(count('fills')).toBe(0);
    durable.equity(mark(1));
    durable.stepDone(mark(1).ts);
    expect(count('fills')).toBe(1);
    expect(count('equity')).toBe(2);
    reader.close();
    db.close();
  });
});
