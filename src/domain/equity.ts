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

/**
 * Equity marks by index. A plain EquitySnapshot[] satisfies it, and so does the engine's columnar
 * EquitySeries, so an 8-year 1m run never materialises millions of snapshot objects.
 */
export interface EquityMarks {
  readonly length: number;
  at(i: number): EquitySnapshot | undefined;
}
