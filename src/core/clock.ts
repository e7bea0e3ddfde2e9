/**
 * Time comes from an injected Clock, never from Date.now() in the decision path: a backtest's clock
 * is the candle being replayed, a forward/live clock is the wall clock. This is what keeps modes equal.
 */
export interface Clock {
  /** Current time in UTC epoch ms. */
  now(): number;
}

/** Simulated clock driven by the candle loop (backtest and dry-run). */
export class SimulatedClock implements Clock {
  private t: number;
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  /** Moves time forward; time never goes backwards. */
  advanceTo(t: number): void {
    if (t > this.t) this.t = t;
  }
}

/** The wall clock, used only by forward and live modes. */
export class WallClock implements Clock {
  now(): number {
    return Date.now();
  }
}
