import type { Metrics } from '../metrics/types.ts';
import { roundSig } from './format.ts';

/**
 * metrics.json text: the Metrics record with every non-integer rounded to 10 significant digits,
 * 2-space indent, trailing newline. Key order is the order computeMetrics builds (fixed in code;
 * map-like groups such as notes and benchmark.perSymbol are sorted by key), so the same metrics
 * always give the same bytes.
 */
export function metricsToJson(metrics: Metrics): string {
  return `${JSON.stringify(roundedCopy(metrics, 'metrics'), null, 2)}\n`;
}

/** A deep copy with numbers rounded for output (also used by the --json summary). */
export function roundedCopy(v: unknown, where: string): unknown {
  if (typeof v === 'number') return roundSig(v, where);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x, i) => roundedCopy(x, `${where}[${i}]`));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = roundedCopy(x, `${where}.${k}`);
  return out;
}
