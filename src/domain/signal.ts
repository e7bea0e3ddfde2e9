/**
 * A Signal is a strategy's intent, never an order: direction and target exposure, with the reason
 * and the indicator values it was decided on. Sizing belongs to the risk gate. Signals are frozen
 * on creation and cross process boundaries as plain data.
 */
export type SignalKind = 'enter_long' | 'enter_short' | 'exit' | 'target';

export interface Signal {
  /** Deterministic id: `${strategyId}:${symbol}:${ts}:${seq}`. */
  readonly id: string;
  readonly strategyId: string;
  readonly symbol: string;
  /** Open time of the closed candle the decision was made on. */
  readonly ts: number;
  readonly kind: SignalKind;
  /** Desired exposure as a fraction of the strategy's allotted capital, in [-1, 1]. */
  readonly targetExposure: number;
  readonly stop?: number;
  readonly takeProfit?: number;
  readonly confidence: number;
  readonly reason: string;
  readonly indicators: Readonly<Record<string, number>>;
}
