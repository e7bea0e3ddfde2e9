/** Raw CSV reading for the hosts bench (the shared Binance files; never copied into the repo). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CandleColumns } from '../../src/domain/candle.ts';
import type { CandleBatch } from '../../src/domain/candle-batch.ts';

export const SHARED_DATA = process.env.CT_SHARED_DATA ?? resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');

export function readCandleCsv(name: string): CandleColumns {
  const lines = readFileSync(resolve(SHARED_DATA, name), 'utf8').split('\n').slice(1).filter((l) => l.length > 0);
  const n = lines.length;
  const c = { length: n, ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  lines.forEach((l, i) => {
    const p = l.split(',');
    c.ts[i] = Number(p[0]); c.open[i] = Number(p[1]); c.high[i] = Number(p[2]); c.low[i] = Number(p[3]); c.close[i] = Number(p[4]); c.volume[i] = Number(p[5]);
  });
  return c;
}

export function singleSymbolBatches(symbol: string, c: CandleColumns, size: number): CandleBatch[] {
  const out: CandleBatch[] = [];
  for (let from = 0; from < c.length; from += size) {
    const to = Math.min(c.length, from + size);
    out.push({
      symbols: [symbol], length: to - from, ts: c.ts.slice(from, to), sym: new Int32Array(to - from), open: c.open.slice(from, to),
      high: c.high.slice(from, to), low: c.low.slice(from, to), close: c.close.slice(from, to), volume: c.volume.slice(from, to),
    });
  }
  return out;
}
