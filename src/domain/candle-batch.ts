import type { Candle } from './candle.ts';

/**
 * Candles streamed to strategy hosts, columnar so a batch crosses a process boundary as a handful
 * of typed arrays (structured clone), not thousands of objects. Rows are in time order; all rows
 * with the same `ts` form one step of the candle loop (the candles that closed together).
 * `sym[i]` indexes into `symbols`.
 */
export interface CandleBatch {
  readonly symbols: readonly string[];
  readonly length: number;
  readonly ts: Float64Array;
  readonly sym: Int32Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** One step of the loop: every candle (one per symbol at most) whose open time is `ts`. */
export interface CandleStep {
  readonly ts: number;
  readonly candles: ReadonlyArray<{ readonly symbol: string; readonly candle: Candle }>;
}

/** Packs steps into a batch (steps must be in increasing ts order). */
export function batchFromSteps(symbols: readonly string[], steps: readonly CandleStep[]): CandleBatch {
  let n = 0;
  for (const s of steps) n += s.candles.length;
  const index = new Map(symbols.map((s, i) => [s, i] as const));
  const b = {
    symbols,
    length: n,
    ts: new Float64Array(n),
    sym: new Int32Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let i = 0;
  for (const s of steps) {
    for (const { symbol, candle } of s.candles) {
      const k = index.get(symbol);
      if (k === undefined) throw new Error(`batchFromSteps: symbol ${symbol} not in the batch's symbol list`);
      b.ts[i] = s.ts;
      b.sym[i] = k;
      b.open[i] = candle.open;
      b.high[i] = candle.high;
      b.low[i] = candle.low;
      b.close[i] = candle.close;
      b.volume[i] = candle.volume;
      i++;
    }
  }
  return b;
}

/** Unpacks a batch into steps (the inverse of batchFromSteps). */
export function stepsFromBatch(b: CandleBatch): CandleStep[] {
  const steps: CandleStep[] = [];
  let i = 0;
  while (i < b.length) {
    const ts = b.ts[i]!;
    const candles: Array<{ symbol: string; candle: Candle }> = [];
    while (i < b.length && b.ts[i] === ts) {
      candles.push({
        symbol: b.symbols[b.sym[i]!]!,
        candle: { ts, open: b.open[i]!, high: b.high[i]!, low: b.low[i]!, close: b.close[i]!, volume: b.volume[i]! },
      });
      i++;
    }
    steps.push({ ts, candles });
  }
  return steps;
}
