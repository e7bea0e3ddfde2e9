/**
 * Gaps = missing candles between two stored ones. They are reported, never invented (no
 * forward-fill): an exchange outage is a fact about the market a backtest must see.
 */
export interface Gap {
  /** Open time of the last candle before the hole. */
  readonly lastPresent: number;
  /** Open time of the first candle after the hole. */
  readonly nextPresent: number;
  /** Candles missing in between. */
  readonly missing: number;
}

/** Gaps in an ascending ts column on a grid of tfMs. */
export function findGaps(ts: Float64Array, tfMs: number, length = ts.length): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < length; i++) {
    const d = ts[i]! - ts[i - 1]!;
    if (d > tfMs) gaps.push({ lastPresent: ts[i - 1]!, nextPresent: ts[i]!, missing: Math.round(d / tfMs) - 1 });
  }
  return gaps;
}

function dateTime(ms: number): [string, string] {
  const iso = new Date(ms).toISOString();
  return [iso.slice(0, 10), iso.slice(11, 16)];
}

/**
 * `2018-01-04 03:00->05:00 (1)`, or `2018-02-08 00:00->2018-02-09 10:00 (33)` across days:
 * the format data providers use to list known exchange outages, so the two can be compared line by line.
 */
export function formatGap(g: Gap): string {
  const [d0, t0] = dateTime(g.lastPresent);
  const [d1, t1] = dateTime(g.nextPresent);
  return `${d0} ${t0}->${d1 === d0 ? '' : `${d1} `}${t1} (${g.missing})`;
}

export function totalMissing(gaps: readonly Gap[]): number {
  let n = 0;
  for (const g of gaps) n += g.missing;
  return n;
}
