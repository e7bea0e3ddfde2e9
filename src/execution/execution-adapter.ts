/**
 * THE execution interface. The candle loop talks to exactly this in every mode, and a mode
 * chooses the implementation (the session builds the account with the adapter the mode passes):
 *
 *  - backtest and paper (dry-run / forward on live or synthetic candles): `SimulatedExecution`,
 *    one fill model, only the candle source differs;
 *  - live (a later issue): an adapter that sends orders to Bybit. It implements the same methods:
 *    `submit` places the order and returns `[]` (the exchange answers asynchronously); fills and
 *    funding that arrived since the last call are handed back by the next `onCandle` for that
 *    symbol (the adapter buffers its WebSocket/REST order updates in between). The loop therefore
 *    never waits on the network inside a step, and the accounting order (fills before the mark,
 *    before the next decisions) is the same in every mode.
 *
 * Results are synchronous on purpose: a simulator knows its fills at once, and a live adapter
 * reports what it already knows. Returned arrays are owned by the caller to read only (an empty
 * result may be a shared frozen array). The records it returns (fills, funding events, notes) are
 * the domain's: src/domain/order.ts, funding.ts, execution-note.ts.
 */
import type { Candle } from '../domain/candle.ts';
import type { ExecutionNote } from '../domain/execution-note.ts';
import type { FundingEvent } from '../domain/funding.ts';
import type { Fill, OrderIntent } from '../domain/order.ts';

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
  /**
   * What the adapter did to orders other than filling them as asked (clamped, dropped, cancelled)
   * since the last call, then clears them. The loop frees the risk reservation of every note for
   * which `releasesReservation` (src/domain/execution-note.ts) is true.
   */
  drainNotes(): ExecutionNote[];
  /**
   * What the adapter holds that the account's next process needs (pending orders, protective
   * orders, id counters), as plain, versioned JSON data; `restore` continues from it on a fresh
   * adapter (an exchange-backed adapter will hold little more than the orders it is waiting for).
   */
  snapshot(): unknown;
  restore(state: unknown): void;
}
