/**
 * A strategy's own book of INTENDED positions, per subscribed symbol (by index): the exposure of
 * its last signal there, when that position was entered and when the last one was exited (in base
 * candles), and the per-step sequence number that makes signal ids unique. It is what
 * ctx.position(), ctx.barsSinceEntry() and ctx.barsSinceExit() read; it never sees the account
 * (docs/strategies.md, "Position model").
 */
export class IntendedPositions {
  private readonly exposure: Float64Array;
  private readonly entryBar: Float64Array;
  private readonly exitBar: Float64Array;
  private readonly seqTs: Float64Array;
  private readonly seq: Int32Array;

  constructor(symbols: number) {
    this.exposure = new Float64Array(symbols);
    this.entryBar = new Float64Array(symbols).fill(-1);
    this.exitBar = new Float64Array(symbols).fill(-1);
    this.seqTs = new Float64Array(symbols).fill(NaN);
    this.seq = new Int32Array(symbols);
  }

  exposureOf(k: number): number {
    return this.exposure[k]!;
  }

  /** Base candles since the current position was entered (0 on the entry candle); -1 when flat. */
  barsSinceEntry(k: number, bars: number): number {
    const e = this.entryBar[k]!;
    return e < 0 ? -1 : bars - 1 - e;
  }

  /** Base candles since the last exit (0 on the exit candle); -1 if it never exited. */
  barsSinceExit(k: number, bars: number): number {
    const e = this.exitBar[k]!;
    return e < 0 ? -1 : bars - 1 - e;
  }

  /** Sequence number the next signal of symbol k at step `ts` gets (0 for the first of the step). */
  nextSeq(k: number, ts: number): number {
    if (this.seqTs[k] !== ts) {
      this.seqTs[k] = ts;
      this.seq[k] = 0;
    }
    return this.seq[k]!;
  }

  /**
   * Books an emitted signal's target exposure on symbol k at base candle index `bar`: a move to 0
   * is an exit, a move from 0 or across 0 is a new entry, anything else resizes the same position.
   */
  record(k: number, after: number, bar: number): void {
    this.seq[k]!++;
    const before = this.exposure[k]!;
    if (after === 0) {
      if (before !== 0) this.exitBar[k] = bar;
      this.entryBar[k] = -1;
    } else if (before === 0 || Math.sign(before) !== Math.sign(after)) {
      this.entryBar[k] = bar;
    }
    this.exposure[k] = after;
  }
}
