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

/** Equity marks held as columns (the engine's EquitySeries): read without a snapshot object per mark. */
export interface EquityColumns extends EquityMarks {
  readonly ts: ArrayLike<number>;
  readonly cash: ArrayLike<number>;
  readonly equity: ArrayLike<number>;
  readonly exposure: ArrayLike<number>;
  readonly drawdown: ArrayLike<number>;
}

/** The columns of `m` when it holds them, else undefined (a plain EquitySnapshot[]). */
export function equityColumnsOf(m: EquityMarks): EquityColumns | undefined {
  const c = m as Partial<EquityColumns>;
  return ArrayBuffer.isView(c.ts) && ArrayBuffer.isView(c.cash) && ArrayBuffer.isView(c.equity) && ArrayBuffer.isView(c.exposure) && ArrayBuffer.isView(c.drawdown)
    ? (m as EquityColumns)
    : undefined;
}
