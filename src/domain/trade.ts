/** A closed round trip of one strategy on one symbol: from flat to flat (or a flip). */
export interface Trade {
  readonly id: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  readonly entryTs: number;
  readonly exitTs: number;
  /** Average entry and exit prices (volume-weighted over the fills of the trade). */
  readonly entryPrice: number;
  readonly exitPrice: number;
  /** Largest absolute quantity held during the trade. */
  readonly qty: number;
  /** Price PnL before costs. */
  readonly grossPnl: number;
  readonly fees: number;
  readonly slippage: number;
  /** Funding paid (positive) or received (negative) while the trade was open. */
  readonly funding: number;
  /** grossPnl - fees - funding (slippage is already inside the fill prices, reported apart for attribution). */
  readonly netPnl: number;
  /** Net PnL divided by the initial risk (entry-to-stop distance x qty); null when the trade had no stop. */
  readonly rMultiple: number | null;
  /** Maximum adverse / favourable excursion, as a fraction of the entry price (MAE <= 0 <= MFE). */
  readonly mae: number;
  readonly mfe: number;
  readonly bars: number;
  readonly exitReason: string;
}
