import type { EquitySnapshot } from '../domain/equity.ts';

/**
 * The equity curve kept columnar (growable Float64Arrays) so an 8-year 1m backtest holds 4.2M
 * marks in ~170 MB instead of millions of objects.
 */
export class EquitySeries {
  length = 0;
  ts: Float64Array;
  cash: Float64Array;
  equity: Float64Array;
  exposure: Float64Array;
  drawdown: Float64Array;

  /** `capacity`: the expected number of steps when known (store replay), so nothing is regrown. */
  constructor(capacity = 1024) {
    const n = Math.max(16, capacity);
    this.ts = new Float64Array(n);
    this.cash = new Float64Array(n);
    this.equity = new Float64Array(n);
    this.exposure = new Float64Array(n);
    this.drawdown = new Float64Array(n);
  }

  push(e: EquitySnapshot): void {
    if (this.length === this.ts.length) this.grow();
    const i = this.length++;
    this.ts[i] = e.ts;
    this.cash[i] = e.cash;
    this.equity[i] = e.equity;
    this.exposure[i] = e.exposure;
    this.drawdown[i] = e.drawdown;
  }

  at(i: number): EquitySnapshot {
    return { ts: this.ts[i]!, cash: this.cash[i]!, equity: this.equity[i]!, exposure: this.exposure[i]!, drawdown: this.drawdown[i]! };
  }

  toSnapshots(): EquitySnapshot[] {
    const out = new Array<EquitySnapshot>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    return out;
  }

  private grow(): void {
    // 1.5x: an unbounded stream (dry-run, forward) keeps at most a third of slack.
    const n = Math.ceil(this.ts.length * 1.5);
    const g = (a: Float64Array): Float64Array => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.ts = g(this.ts);
    this.cash = g(this.cash);
    this.equity = g(this.equity);
    this.exposure = g(this.exposure);
    this.drawdown = g(this.drawdown);
  }
}
