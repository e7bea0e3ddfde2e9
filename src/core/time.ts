import { CtError } from './errors.ts';

/** Parse a date given as `YYYY-MM-DD`, full ISO-8601, or epoch ms into UTC epoch ms. */
export function parseDateMs(value: string, where: string): number {
  const v = value.trim();
  if (/^\d{10,14}$/.test(v)) return Number(v);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}/.test(v)) {
    throw new CtError('CT_ERR_USAGE', `${where}: "${value}" is not a date (use YYYY-MM-DD, ISO-8601 or epoch ms)`, {
      details: { where, value },
    });
  }
  return ms;
}

/** ISO-8601 UTC text without milliseconds, for reports and CSVs. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
