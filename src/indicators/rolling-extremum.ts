/**
 * Sliding-window maximum or minimum over the last `n` values with a monotonic deque kept in a
 * preallocated ring: O(1) amortised per push, no allocation. Values are copied, never computed,
 * so the result is exactly TA-Lib's MAX/MIN (window includes the current value).
 */
export class RollingExtremum {
  private readonly n: number;
  private readonly isMax: boolean;
  private readonly vals: Float64Array;
  private readonly seqs: Float64Array;
  private head = 0;
  private size = 0;
  private seq = 0;

  constructor(n: number, kind: 'max' | 'min') {
    this.n = n;
    this.isMax = kind === 'max';
    this.vals = new Float64Array(n);
    this.seqs = new Float64Array(n);
  }

  /** Adds a value; returns the extremum of the last min(n, pushed) values. */
  push(v: number): number {
    const n = this.n;
    const s = this.seq++;
    // Only the front can have left the window, and at most one value per push.
    if (this.size > 0 && this.seqs[this.head]! <= s - n) {
      this.head = this.head + 1 === n ? 0 : this.head + 1;
      this.size--;
    }
    const vals = this.vals;
    while (this.size > 0) {
      let back = this.head + this.size - 1;
      if (back >= n) back -= n;
      const b = vals[back]!;
      if (this.isMax ? b <= v : b >= v) this.size--;
      else break;
    }
    let pos = this.head + this.size;
    if (pos >= n) pos -= n;
    vals[pos] = v;
    this.seqs[pos] = s;
    this.size++;
    return vals[this.head]!;
  }

  reset(): void {
    this.head = 0; this.size = 0; this.seq = 0;
  }
}
