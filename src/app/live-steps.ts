import type { Candle } from '../domain/candle.ts';
import type { CandleStep } from '../domain/candle-batch.ts';

/**
 * Turns a live stream of closed candles (one symbol at a time) into loop steps. A step is
 * emitted as soon as every symbol's candle for that open time has arrived, or when a newer
 * candle shows the older step is complete as it will ever be, or after `graceMs` (a symbol
 * without a trade in that interval simply has no candle in the step — never an invented one).
 */
export async function* liveSteps(
  feed: AsyncIterable<{ symbol: string; candle: Candle }>,
  symbols: readonly string[],
  graceMs: number,
): AsyncGenerator<CandleStep> {
  const order = new Map(symbols.map((s, i) => [s, i] as const));
  const pending = new Map<number, Map<string, Candle>>();
  const it = feed[Symbol.asyncIterator]();
  const ready: CandleStep[] = [];
  let next: Promise<IteratorResult<{ symbol: string; candle: Candle }>> | undefined;

  const flushUpTo = (ts: number): void => {
    for (const t of [...pending.keys()].sort((a, b) => a - b)) {
      if (t > ts) break;
      const m = pending.get(t)!;
      pending.delete(t);
      const candles = [...m].sort(([a], [b]) => order.get(a)! - order.get(b)!).map(([symbol, candle]) => ({ symbol, candle }));
      ready.push({ ts: t, candles });
    }
  };

  for (;;) {
    while (ready.length > 0) yield ready.shift()!;
    next ??= it.next();
    const oldest = pending.size > 0 ? Math.min(...pending.keys()) : undefined;
    const r = oldest === undefined ? await next : await Promise.race([next, new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), graceMs))]);
    if (r === 'timeout') {
      flushUpTo(oldest!);
      continue;
    }
    next = undefined;
    if (r.done) {
      flushUpTo(Infinity);
      while (ready.length > 0) yield ready.shift()!;
      return;
    }
    const { symbol, candle } = r.value;
    const m = pending.get(candle.ts) ?? new Map<string, Candle>();
    m.set(symbol, candle);
    pending.set(candle.ts, m);
    // Everything strictly older than a newly arrived open time is complete.
    flushUpTo(candle.ts - 1);
    if (m.size === symbols.length) flushUpTo(candle.ts);
  }
}
