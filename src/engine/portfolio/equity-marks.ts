/**
 * The account's equity marks the risk gate reads: the highest equity of any mark (the drawdown
 * circuit breaker's peak) and the equity at the first mark of the current UTC day (the daily loss
 * limit's start). The UTC day is the step's candle time, as everywhere in the decision path.
 */
const DAY_MS = 86_400_000;

export interface EquityMarksState {
  readonly v: 1;
  readonly peak: number;
  readonly dayIndex: number;
  readonly dayStart: number;
}

export class EquityMarks {
  /** Highest equity of any mark so far (the initial cash before the first mark). */
  peak: number;
  /** UTC day (days since the epoch) of the last mark; NaN before the first. */
  private dayIndex = Number.NaN;
  /** Equity at the first mark of the current UTC day (initial cash before the first mark). */
  dayStart: number;

  constructor(initialCash: number) {
    this.peak = initialCash;
    this.dayStart = initialCash;
  }

  /** After each mark at step `ts`: the peak, then the day's first equity on a new UTC day. */
  see(ts: number, equity: number): void {
    if (equity > this.peak) this.peak = equity;
    const day = Math.floor(ts / DAY_MS);
    if (day !== this.dayIndex) {
      this.dayIndex = day;
      this.dayStart = equity;
    }
  }

  state(): EquityMarksState {
    return { v: 1, peak: this.peak, dayIndex: this.dayIndex, dayStart: this.dayStart };
  }

  setState(s: EquityMarksState): void {
    this.peak = s.peak;
    this.dayIndex = s.dayIndex;
    this.dayStart = s.dayStart;
  }
}
