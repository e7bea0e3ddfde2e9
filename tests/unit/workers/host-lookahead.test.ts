import { describe, expect, it } from 'vitest';
import type { CandleBatch } from '../../../src/domain/candle-batch.ts';
import type { Signal } from '../../../src/domain/signal.ts';
import { prefixMismatch, stepStarts } from '../../../src/workers/host-lookahead.ts';
import { rowsBetween } from '../../../src/workers/recent-candles.ts';

/** Two symbols; steps at ts 1, 2, 3, 4 with 2, 1, 2, 2 rows. */
function batch(): CandleBatch {
  const ts = [1, 1, 2, 3, 3, 4, 4];
  const n = ts.length;
  const col = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  return { symbols: ['A', 'B'], length: n, ts: Float64Array.from(ts), sym: Int32Array.from([0, 1, 0, 0, 1, 0, 1]), open: col((i) => 100 + i), high: col((i) => 101 + i), low: col((i) => 99 + i), close: col((i) => 100.5 + i), volume: col(() => 1) };
}

const sig = (ts: number, reason: string): Signal => ({ id: `s:A:${ts}:0`, strategyId: 's', symbol: 'A', ts, kind: 'enter_long', targetExposure: 1, confidence: 1, reason, indicators: {} }) as Signal;

describe('rowsBetween (the catch-up of a hot-reloaded strategy)', () => {
  it('gives the whole steps strictly after one time and before another, as views', () => {
    const b = batch();
    const mid = rowsBetween(b, 1, 4);
    expect(Array.from(mid.ts)).toEqual([2, 3, 3]);
    expect(Array.from(mid.sym)).toEqual([0, 0, 1]);
    expect(Array.from(mid.close)).toEqual([102.5, 103.5, 104.5]);
    expect(rowsBetween(b, -Infinity, 2).length).toBe(2);
    expect(rowsBetween(b, 4, 5).length).toBe(0);
    expect(rowsBetween(b, 2, 3).length).toBe(0);
    expect(mid.ts.buffer).toBe(b.ts.buffer);
  });
});

describe('the look-ahead comparison of a hot reload', () => {
  it('finds step starts without splitting a step', () => {
    expect(stepStarts(batch())).toEqual([0, 2, 3, 5, 7]);
  });

  it('accepts a truncated run that decided exactly the prefix, and names the first difference otherwise', () => {
    const full = [sig(1, 'a'), sig(2, 'b'), sig(4, 'c')];
    expect(prefixMismatch(full, [sig(1, 'a'), sig(2, 'b')], 3)).toBeUndefined();
    expect(prefixMismatch(full, [], 0)).toBeUndefined();
    expect(prefixMismatch(full, [sig(1, 'a'), sig(2, 'B')], 3)).toMatch(/^signal #1 differs: full run .*"reason":"b".* \| truncated run .*"reason":"B"/);
    expect(prefixMismatch(full, [sig(1, 'a')], 3)).toMatch(/^signal #1 differs: .* \| truncated run \(none\)$/);
    expect(prefixMismatch(full, [sig(1, 'a'), sig(2, 'b'), sig(3, 'x')], 3)).toMatch(/^signal #2 differs: full run \(none\)/);
  });
});
