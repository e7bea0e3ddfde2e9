/** The account marked to market at the close of one candle step. */
export interface EquitySnapshot {
  readonly ts: number;
  readonly cash: number;
  readonly equity: number;
  /** Gross notional of open positions / equity. */
  readonly exposure: number;
  /** (peak equity - equity) / peak equity, >= 0. */
  readonly drawdown: number;
}
