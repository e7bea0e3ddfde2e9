import { resolve } from 'node:path';
import type { CandleColumns } from '../../../../src/domain/candle.ts';
import type { CandleBatch } from '../../../../src/domain/candle-batch.ts';
import type { StrategySpec } from '../../../../src/strategies/strategy-spec.ts';
import { REPO_ROOT } from '../../../support/shared-data.ts';

/** Single-symbol batch over rows [from, to) of columns (copies, like the loop would send). */
export function batchOf(symbol: string, c: CandleColumns, from: number, to: number): CandleBatch {
  const n = to - from;
  return {
    symbols: [symbol],
    length: n,
    ts: c.ts.slice(from, to),
    sym: new Int32Array(n),
    open: c.open.slice(from, to),
    high: c.high.slice(from, to),
    low: c.low.slice(from, to),
    close: c.close.slice(from, to),
    volume: c.volume.slice(from, to),
  };
}

/** Splits rows [0, n) into consecutive batches of `size`. */
export function batchesOf(symbol: string, c: CandleColumns, n: number, size: number): CandleBatch[] {
  const out: CandleBatch[] = [];
  for (let i = 0; i < n; i += size) out.push(batchOf(symbol, c, i, Math.min(n, i + size)));
  return out;
}

export const MISBEHAVING = resolve(REPO_ROOT, 'tests/fixtures/strategies/misbehaving.ts');

export function misbehavingSpec(instanceId: string, mode: 'none' | 'throw' | 'hang' | 'crash', atTs = 0): StrategySpec {
  return {
    instanceId,
    strategyId: 'misbehaving',
    source: { kind: 'file', path: MISBEHAVING },
    params: { mode, at_ts: atTs },
    symbols: ['BTC/USDT'],
    timeframe: '1h',
    market: 'spot',
  };
}

export function builtinSpec(id: string, instanceId = id, params: Record<string, unknown> = {}, symbols = ['BTC/USDT']): StrategySpec {
  return { instanceId, strategyId: id, source: { kind: 'builtin', id }, params, symbols, timeframe: '1h', market: 'spot' };
}

/**
 * Multi-symbol batches: rows of several series merged by ts (a step = the rows sharing a ts, in
 * symbol order), cut into batches of about `size` rows without splitting a step.
 */
export function multiBatches(series: ReadonlyArray<{ symbol: string; c: CandleColumns }>, maxSteps: number, size: number): CandleBatch[] {
  const symbols = series.map((s) => s.symbol);
  const rows: Array<[number, number, number]> = []; // ts, symbol index, row
  const idx = series.map(() => 0);
  let steps = 0;
  while (steps < maxSteps) {
    let ts = Infinity;
    series.forEach((s, k) => { if (idx[k]! < s.c.length) ts = Math.min(ts, s.c.ts[idx[k]!]!); });
    if (ts === Infinity) break;
    series.forEach((s, k) => { if (idx[k]! < s.c.length && s.c.ts[idx[k]!] === ts) rows.push([ts, k, idx[k]!++]); });
    steps++;
  }
  const out: CandleBatch[] = [];
  let from = 0;
  while (from < rows.length) {
    let to = Math.min(rows.length, from + size);
    while (to < rows.length && rows[to]![0] === rows[to - 1]![0]) to++;
    const n = to - from;
    const b = { symbols, length: n, ts: new Float64Array(n), sym: new Int32Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      const [ts, k, r] = rows[from + i]!;
      const c = series[k]!.c;
      b.ts[i] = ts; b.sym[i] = k; b.open[i] = c.open[r]!; b.high[i] = c.high[r]!; b.low[i] = c.low[r]!; b.close[i] = c.close[r]!; b.volume[i] = c.volume[r]!;
    }
    out.push(b);
    from = to;
  }
  return out;
}

/** Splits batches into one batch per step (what a lock-step inline loop feeds). */
export function perStep(batches: readonly CandleBatch[]): CandleBatch[] {
  const out: CandleBatch[] = [];
  for (const b of batches) {
    let from = 0;
    while (from < b.length) {
      let to = from + 1;
      while (to < b.length && b.ts[to] === b.ts[from]) to++;
      out.push({ symbols: b.symbols, length: to - from, ts: b.ts.subarray(from, to), sym: b.sym.subarray(from, to), open: b.open.subarray(from, to), high: b.high.subarray(from, to), low: b.low.subarray(from, to), close: b.close.subarray(from, to), volume: b.volume.subarray(from, to) });
      from = to;
    }
  }
  return out;
}
