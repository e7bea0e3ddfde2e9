/**
 * The execution seam. The candle loop talks to exactly this interface in every mode:
 *
 *  - backtest and paper (dry-run / forward on live or synthetic candles): `SimulatedExecution`,
 *    one fill model, only the candle source and the clock differ;
 *  - live (a later issue): an adapter that sends orders to Bybit. It implements the same methods:
 *    `submit` places the order and returns `[]` (the exchange answers asynchronously); fills and
 *    funding that arrived since the last call are handed back by the next `onCandle` for that
 *    symbol (the adapter buffers its WebSocket/REST order updates in between). The loop therefore
 *    never waits on the network inside a step, and the accounting order (fills before the mark,
 *    before the next decisions) is the same in every mode.
 *
 * Results are synchronous on purpose: a simulator knows its fills at once, and a live adapter
 * reports what it already knows. Returned arrays are owned by the caller to read only (an empty
 * result may be a shared frozen array).
 */
import type { Candle } from '../domain/candle.ts';
import type { Fill, OrderIntent } from '../domain/order.ts';

/** One funding instant of a linear perpetual inside a candle. */
export interface FundingEvent {
  /** The funding time (UTC ms). */
  readonly ts: number;
  readonly symbol: string;
  /** Rate per funding interval as a fraction (0.0001 = 0.01 %); longs pay when > 0. */
  readonly rate: number;
  /** Price the payment is computed on: the open of the candle holding the funding time. */
  readonly markPrice: number;
  /** 'fallback' = no stored history covered this instant; the configured fallback rate was used. */
  readonly source: 'history' | 'fallback';
  /**
   * What each position the simulator held AT the funding instant pays (amount > 0 = paid, < 0 =
   * received): `qty x markPrice x rate` with signed qty. Positions opened by a fill at this same
   * candle's open are NOT included when the funding time is the open (they did not exist yet).
   * The portfolio may recompute from `rate`/`markPrice`; this is the simulator's own view.
   */
  readonly payments: readonly FundingPayment[];
}

export interface FundingPayment {
  readonly strategyId: string;
  readonly qty: number;
  readonly amount: number;
}

/** Something the adapter did to an order other than filling it as asked (for logs and reports). */
export interface ExecutionNote {
  readonly ts: number;
  readonly orderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly kind: 'clamped_reduce_only' | 'clamped_spot_long_only' | 'dropped_nothing_to_reduce' | 'cancelled';
  readonly requestedQty: number;
  readonly filledQty: number;
  readonly message: string;
}

export interface ExecutionAdapter {
  /**
   * Queues an approved order decided on `decision.candle` (closed). With the `next_open` model it
   * fills on a later `onCandle`; with `close` it fills now and the fill is returned. `atr` is the
   * decision candle's ATR if the caller has one (used by the `atr` slippage model).
   */
  submit(order: OrderIntent, decision: { candle: Candle; atr?: number }): Fill[];
  /**
   * Called once per symbol per step, in the loop's symbol order, with candles of strictly
   * increasing ts per symbol: pending orders fill at the open, then protective stops /
   * take-profits trigger intrabar, and funding instants inside [ts, ts + timeframe) are reported.
   */
  onCandle(symbol: string, candle: Candle): { fills: Fill[]; funding: FundingEvent[] };
  /** Cancels pending orders and protective stop/TP of one (strategy, symbol); returns their ids. */
  cancelAll(strategyId: string, symbol: string): string[];
  /** Closes every open position at its symbol's last close (reason 'end_of_run'); cancels the rest. */
  closeAll(last: ReadonlyMap<string, Candle>): Fill[];
  /** Orders accepted but not yet filled (oldest first). */
  pendingOrders(): readonly OrderIntent[];
  /** Notes since the last call (clamps, drops, cancellations), then clears them. */
  drainNotes(): ExecutionNote[];
}
