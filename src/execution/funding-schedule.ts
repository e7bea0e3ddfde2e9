/**
 * Funding instants of one linear perpetual, walked forward candle by candle.
 *
 * Stored history is point in time: its own timestamps are the funding times (so an interval
 * change 8h -> 4h -> 1h is followed as it happened, and ms jitter is kept). The configured
 * interval is used only where history is MISSING: before its first event, after its last event
 * (+ one interval), or inside a hole longer than one interval. There, funding instants are put on
 * the UTC grid of the configured interval (00/08/16 UTC for 8h) with the fallback rate, and the
 * owner is told (`onMissing`) so it can warn loudly. Missing funding is never a silent zero.
 */
import { firstAtOrAfter } from '../domain/candle.ts';
import type { FundingSource } from '../domain/funding.ts';

export interface FundingHistory {
  readonly ts: Float64Array;
  readonly rate: Float64Array;
}

/** One funding instant found inside a candle window. */
export interface FundingInstant {
  readonly ts: number;
  readonly rate: number;
  readonly source: FundingSource;
}

/** History times within this distance of a grid time count as that grid time (exchange jitter). */
const JITTER_MS = 60_000;

export class FundingSchedule {
  private readonly intervalMs: number;
  private readonly fallbackRate: number;
  private readonly hist: FundingHistory | undefined;
  /** Index of the first history event not yet consumed (windows arrive in increasing ts). */
  private cursor = -1;

  constructor(history: FundingHistory | undefined, intervalMs: number, fallbackRate: number) {
    this.hist = history !== undefined && history.ts.length > 0 ? history : undefined;
    this.intervalMs = intervalMs;
    this.fallbackRate = fallbackRate;
  }

  /** True when there is no usable history at all (undefined or empty). */
  get hasHistory(): boolean {
    return this.hist !== undefined;
  }

  /**
   * Funding instants with from <= ts < to, ascending. Windows must not go backwards.
   * `onMissing(ts, why)` is called for every instant that had to use the fallback rate.
   */
  instantsIn(from: number, to: number, onMissing: (ts: number, why: string) => void): FundingInstant[] | undefined {
    let out: FundingInstant[] | undefined;
    const h = this.hist;
    const I = this.intervalMs;
    let j = 0;
    if (h !== undefined) {
      if (this.cursor < 0) this.cursor = firstAtOrAfter(h.ts, from);
      while (this.cursor < h.ts.length && h.ts[this.cursor]! < from) this.cursor++;
      j = this.cursor;
      for (; j < h.ts.length && h.ts[j]! < to; j++) {
        (out ??= []).push({ ts: h.ts[j]!, rate: h.rate[j]!, source: 'history' });
      }
      this.cursor = j;
    }
    // Grid instants of the configured interval inside the window, checked against history.
    for (let g = Math.ceil(from / I) * I; g < to; g += I) {
      const why = this.missingReason(g);
      if (why === undefined) continue;
      onMissing(g, why);
      (out ??= []).push({ ts: g, rate: this.fallbackRate, source: 'fallback' });
    }
    if (out !== undefined && out.length > 1) out.sort((a, b) => a.ts - b.ts);
    return out;
  }

  /** Why grid instant g has no history, or undefined when history covers it. */
  private missingReason(g: number): string | undefined {
    const h = this.hist;
    if (h === undefined) return 'no funding history for this symbol';
    const n = h.ts.length;
    const first = h.ts[0]!;
    const last = h.ts[n - 1]!;
    if (g < first - JITTER_MS) return `before the first stored funding event (${first})`;
    if (g >= last + this.intervalMs - JITTER_MS) return `after the last stored funding event (${last})`;
    // Inside the span: covered when an event sits at g, or the surrounding events are at most one
    // interval apart (history on a shorter interval than configured is complete, not missing).
    const k = firstAtOrAfter(h.ts, g - JITTER_MS);
    if (k < n && Math.abs(h.ts[k]! - g) <= JITTER_MS) return undefined;
    const before = k > 0 ? h.ts[k - 1]! : -Infinity;
    const after = k < n ? h.ts[k]! : Infinity;
    if (after - before <= this.intervalMs + JITTER_MS) return undefined;
    return `hole in stored funding history between ${before} and ${after}`;
  }
}
