/**
 * The out-of-sample equity of a walk-forward: the test windows one after another, each starting
 * from the equity the previous one ended with (the first from backtest.initial_cash). A window
 * without an eligible set stays in cash: its equity is flat over its candles. Buy-and-hold is
 * stitched the same way over the same test spans (equal weight over the symbols, bought at each
 * span's first close), so the two curves are compared on exactly the same candles, and a gap
 * between test spans (step > test) is in neither.
 */
import { firstAtOrAfter, type CandleColumns } from '../../domain/candle.ts';
import type { EquitySnapshot } from '../../domain/equity.ts';

export interface TestSpan {
  readonly from: number;
  readonly to: number;
  /** The chosen set's run on the span (marks at its candle steps); undefined = flat in cash. */
  readonly run?: { readonly ts: Float64Array; readonly equity: Float64Array; readonly cash: Float64Array; readonly exposure: Float64Array };
}

export interface StitchedEquity {
  readonly marks: EquitySnapshot[];
  /** Window index of each mark. */
  readonly window: number[];
  /** Buy-and-hold value at each mark (starting at the same initial cash). */
  readonly buyAndHold: Float64Array;
  /** Per window: equity at its start and end, and buy-and-hold's return over the span. */
  readonly perWindow: Array<{ readonly startEquity: number; readonly endEquity: number; readonly buyAndHoldReturn: number | null }>;
}

/** Candle times of the span: the union over symbols (what a loop would step through). */
function stepTimes(candles: ReadonlyMap<string, CandleColumns>, from: number, to: number): Float64Array {
  const set = new Set<number>();
  for (const c of candles.values()) for (let i = firstAtOrAfter(c.ts, from); i < c.length && c.ts[i]! < to; i++) set.add(c.ts[i]!);
  return Float64Array.from([...set].sort((a, b) => a - b));
}

export function stitchEquity(spans: readonly TestSpan[], candles: ReadonlyMap<string, CandleColumns>, initialCash: number): StitchedEquity {
  const marks: EquitySnapshot[] = [];
  const window: number[] = [];
  const bh: number[] = [];
  const perWindow: StitchedEquity['perWindow'] = [];
  let equity = initialCash;
  let bhValue = initialCash;
  let peak = initialCash;
  spans.forEach((span, k) => {
    const startEquity = equity;
    const ts = span.run?.ts ?? stepTimes(candles, span.from, span.to);
    // Buy-and-hold over the span: per symbol, the last close at or before each mark / its first close in the span.
    const series = [...candles.values()].map((c) => {
      const start = firstAtOrAfter(c.ts, span.from);
      return { c, i: start, start };
    });
    const bhStart = bhValue;
    let bhEnd: number | null = null;
    for (let j = 0; j < ts.length; j++) {
      const t = ts[j]!;
      const e = span.run ? span.run.equity[j]! : startEquity;
      const cash = span.run ? span.run.cash[j]! : startEquity;
      peak = Math.max(peak, e);
      marks.push({ ts: t, cash, equity: e, exposure: span.run ? span.run.exposure[j]! : 0, drawdown: peak > 0 ? (peak - e) / peak : 0 });
      window.push(k);
      let ratio = 0;
      for (const s of series) {
        while (s.i + 1 < s.c.length && s.c.ts[s.i + 1]! <= t && s.c.ts[s.i + 1]! < span.to) s.i++;
        // A symbol without a candle yet in this span holds its share as cash.
        ratio += s.start < s.c.length && s.c.ts[s.start]! <= t ? s.c.close[s.i]! / s.c.close[s.start]! : 1;
      }
      bhEnd = bhStart * (series.length > 0 ? ratio / series.length : 1);
      bh.push(bhEnd);
    }
    if (span.run && ts.length > 0) equity = span.run.equity[ts.length - 1]!;
    if (bhEnd !== null) bhValue = bhEnd;
    perWindow.push({ startEquity, endEquity: equity, buyAndHoldReturn: bhEnd === null ? null : bhEnd / bhStart - 1 });
  });
  return { marks, window, buyAndHold: Float64Array.from(bh), perWindow };
}
