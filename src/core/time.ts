import { CtError } from './errors.ts';

/**
 * The one date parser of cryptotrader: config dates, command-line dates and the ISO timestamps
 * of imported CSVs all go through `readUtcDate`. It accepts
 *   - `YYYY-MM-DD` (midnight UTC),
 *   - `YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]` with an optional `Z` or `±HH[:]MM` offset (no offset = UTC),
 *   - epoch milliseconds as 12 to 14 digits,
 * and rejects every text that is not a real calendar date. `Date.parse` is not used on purpose:
 * it rolls impossible dates over (`2023-02-30` becomes 2023-03-02) and reads zone-less times in
 * the machine's local zone, so a typo would silently move a backtest.
 */
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const EPOCH_MS_RE = /^\d{12,14}$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export const DATE_FORMS = 'YYYY-MM-DD, ISO-8601 like 2023-01-01T00:00:00Z, or epoch ms';

function daysInMonth(year: number, month1: number): number {
  return new Date(Date.UTC(year, month1, 0)).getUTCDate();
}

export type DateReading = { readonly ms: number; readonly problem?: undefined } | { readonly ms?: undefined; readonly problem: string };

/** Epoch ms of a UTC date text, or why the text is not a date. Never throws. */
export function readUtcDate(text: string): DateReading {
  const t = text.trim();
  if (EPOCH_MS_RE.test(t)) return { ms: Number(t) };
  if (/^\d+$/.test(t)) return { problem: `epoch ms needs 12 to 14 digits (${t.length} given; epoch seconds are not accepted)` };
  const m = DATE_RE.exec(t);
  if (!m) return { problem: `expected ${DATE_FORMS}` };
  const [, ys, mos, ds, hs, mins, ss, frac, zone] = m;
  const year = Number(ys), month = Number(mos), day = Number(ds);
  const hour = hs === undefined ? 0 : Number(hs), minute = mins === undefined ? 0 : Number(mins), second = ss === undefined ? 0 : Number(ss);
  if (month < 1 || month > 12) return { problem: `month ${mos} does not exist` };
  const dim = daysInMonth(year, month);
  if (day < 1) return { problem: `day ${ds} does not exist` };
  if (day > dim) return { problem: `${MONTHS[month - 1]} ${year} has ${dim} days` };
  if (hour > 23) return { problem: `hour ${hs} does not exist (00-23)` };
  if (minute > 59) return { problem: `minute ${mins} does not exist (00-59)` };
  if (second > 59) return { problem: `second ${ss} does not exist (00-59)` };
  let offsetMin = 0;
  if (zone !== undefined && zone !== 'Z') {
    const zh = Number(zone.slice(1, 3)), zm = Number(zone.slice(-2));
    if (zh > 23 || zm > 59) return { problem: `time zone offset ${zone} does not exist` };
    offsetMin = (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm);
  }
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000 + 1e-6);
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear keeps the year as written.
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  d.setUTCFullYear(year);
  return { ms: d.getTime() - offsetMin * 60_000 };
}

/**
 * Epoch ms of a date given on the command line or in a file; throws CT_ERR_USAGE naming `where`
 * and the value (`--from: "2023-02-30" is not a date: February 2023 has 28 days`).
 */
export function parseDateMs(value: string, where: string): number {
  const r = readUtcDate(value);
  if (r.problem !== undefined) {
    throw new CtError('CT_ERR_USAGE', `${where}: "${value}" is not a date: ${r.problem}`, { details: { where, value } });
  }
  return r.ms;
}

/** ISO-8601 UTC text without milliseconds, for reports and CSVs. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
