/** Orders, fills and their sides, as recorded in accounting. */
export type Side = 'buy' | 'sell';

export interface OrderIntent {
  readonly id: string;
  readonly signalId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly type: 'market';
  /** Candle open time the decision was made on; the fill comes on a later candle. */
  readonly decidedTs: number;
  readonly stop?: number;
  readonly takeProfit?: number;
  readonly reduceOnly: boolean;
}

/**
 * Why a fill happened. `reconciliation`: the exchange holds less than the book (a position closed
 * by hand, liquidated, or an execution older than the exchange keeps); the book adopts the
 * exchange's position with this fill at the mark price, fee 0 (src/execution/bybit/reconcile.ts).
 */
export type FillReason = 'signal' | 'stop' | 'take_profit' | 'liquidation' | 'end_of_run' | 'reconciliation';

export interface Fill {
  readonly id: string;
  readonly orderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly price: number;
  /** Fee in quote currency: >= 0 paid; negative only for a maker rebate (negative maker_fee_bps). */
  readonly fee: number;
  /** Cost of slippage in quote currency versus the reference price (>= 0 when adverse). */
  readonly slippageCost: number;
  readonly ts: number;
  readonly reason: FillReason;
}
