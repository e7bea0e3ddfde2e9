import { randomBytes } from 'node:crypto';

/**
 * Run ids name a run in the database and its results folder: `<mode>-<UTC yyyymmdd-hhmmss>-<4 hex>`.
 * They use the wall clock on purpose — they identify WHEN a run happened — and appear in no
 * deterministic output (fills.csv and metrics.json never contain them).
 */
export function newRunId(mode: string, now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${mode}-${t}-${randomBytes(2).toString('hex')}`;
}
