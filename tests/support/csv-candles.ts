import { readFileSync } from 'node:fs';
import type { CandleColumns } from '../../src/domain/candle.ts';

/**
 * Minimal reader of the shared CSVs for tests that need raw columns without going through the
 * store (e.g. indicator parity). Production import goes through src/data (validated, reported).
 */
export function readCsvColumns(path: string): CandleColumns {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const n = lines.length - 1;
  const ts = new Float64Array(n), open = new Float64Array(n), high = new Float64Array(n);
  const low = new Float64Array(n), close = new Float64Array(n), volume = new Float64Array(n);
  let k = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    const p = line.split(',');
    ts[k] = Number(p[0]); open[k] = Number(p[1]); high[k] = Number(p[2]);
    low[k] = Number(p[3]); close[k] = Number(p[4]); volume[k] = Number(p[5]);
    k++;
  }
  return {
    length: k,
    ts: ts.subarray(0, k), open: open.subarray(0, k), high: high.subarray(0, k),
    low: low.subarray(0, k), close: close.subarray(0, k), volume: volume.subarray(0, k),
  };
}
