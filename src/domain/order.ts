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

export type FillReason = 'signal' | 'stop' | 'take_profit' | 'liquidation' | 'end_of_run';

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
