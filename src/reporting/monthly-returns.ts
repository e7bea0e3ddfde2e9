/**
 * Monthly returns of an equity curve, for the report's heatmap: each UTC calendar month's last
 * equity over the previous month's last (the first month: over the initial cash), and each year's
 * the same way. A month with no mark is null (not 0: nothing was measured).
 */
import { equityColumnsOf, type EquityMarks } from '../domain/equity.ts';

export interface MonthlyReturns {
  readonly years: number[];
  /** returns[yearIndex][month 0..11]. */
  readonly months: (number | null)[][];
  /** Whole-year return per year (first year: from the initial cash). */
  readonly yearly: (number | null)[];
}

export function monthlyReturns(equity: EquityMarks, initialCash: number): MonthlyReturns {
  const cols = equityColumnsOf(equity);
  const lastOfMonth = new Map<number, number>(); // year*12+month -> last equity
  for (let i = 0; i < equity.length; i++) {
    const ts = cols ? cols.ts[i]! : equity.at(i)!.ts;
    const v = cols ? cols.equity[i]! : equity.at(i)!.equity;
    const d = new Date(ts);
    lastOfMonth.set(d.getUTCFullYear() * 12 + d.getUTCMonth(), v);
  }
  const keys = [...lastOfMonth.keys()].sort((a, b) => a - b);
  if (keys.length === 0) return { years: [], months: [], yearly: [] };
  const firstYear = Math.floor(keys[0]! / 12), lastYear = Math.floor(keys.at(-1)! / 12);
  const years: number[] = [];
  for (let y = firstYear; y <= lastYear; y++) years.push(y);
  const months = years.map(() => new Array<number | null>(12).fill(null));
  const yearly = years.map(() => null as number | null);
  let prev = initialCash;
  let yearStart = initialCash;
  let year = firstYear;
  for (const k of keys) {
    const y = Math.floor(k / 12);
    const v = lastOfMonth.get(k)!;
    if (y !== year) {
      yearStart = prev;
      year = y;
    }
    months[y - firstYear]![k % 12] = prev > 0 ? v / prev - 1 : null;
    yearly[y - firstYear] = yearStart > 0 ? v / yearStart - 1 : null;
    prev = v;
  }
  return { years, months, yearly };
}
