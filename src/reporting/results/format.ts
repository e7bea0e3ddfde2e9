/**
 * Deterministic number and text formatting for results files (docs/results.md "Rounding rules").
 *
 *  - metrics.json: integers exact; other numbers rounded to 10 significant digits
 *    (`Number(x.toPrecision(10))`, then JavaScript's shortest round-trip printing). Ten digits hide
 *    last-bit noise from the reader without hiding anything a trader could act on.
 *  - CSV: the shortest text that parses back to the exact double (ECMAScript Number::toString), so
 *    a fill price in fills.csv is bit-identical to the one booked; -0 prints as 0.
 * Both are fully specified by the language, so the same doubles give the same bytes on every
 * machine and Node version.
 */
import { CtError } from '../../core/errors.ts';

/** Round to 10 significant digits (integers untouched). Throws on a non-finite number. */
export function roundSig(x: number, where: string): number {
  if (!Number.isFinite(x)) throw new CtError('CT_ERR_INTERNAL', `results: ${where} is not a finite number (${x}); metrics must be null instead`, { details: { where } });
  if (Number.isInteger(x)) return x === 0 ? 0 : x;
  const r = Number(x.toPrecision(10));
  return r === 0 ? 0 : r;
}

/** A number for a CSV cell: exact shortest round-trip text; empty for null/undefined. */
export function csvNum(x: number | null | undefined): string {
  if (x === null || x === undefined) return '';
  if (!Number.isFinite(x)) return '';
  return x === 0 ? '0' : String(x);
}

/** A text CSV cell, quoted per RFC 4180 when it holds a comma, quote or line break. */
export function csvText(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A fraction as a signed percentage with 2 decimals ("+12.34 %"); "n/a" for null. */
export function pct(x: number | null, signed = true): string {
  if (x === null) return 'n/a';
  const v = x * 100;
  const t = Math.abs(v) >= 1e6 ? v.toExponential(2) : v.toFixed(2);
  return `${signed && v > 0 ? '+' : ''}${t === '-0.00' ? '0.00' : t} %`;
}

/** A plain number with fixed decimals; "n/a" for null. */
export function num(x: number | null, decimals = 2): string {
  if (x === null) return 'n/a';
  const t = x.toFixed(decimals);
  return /^-0\.?0*$/.test(t) ? t.slice(1) : t;
}

/** Money with thousands separators and 2 decimals (deterministic, no locale). */
export function money(x: number | null): string {
  if (x === null) return 'n/a';
  const neg = x < 0;
  const [int, frac] = Math.abs(x).toFixed(2).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const out = `${grouped}.${frac}`;
  return neg && out !== '0.00' ? `-${out}` : out;
}

/** Left-aligned first column, right-aligned others, two spaces between columns. */
export function alignTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}
