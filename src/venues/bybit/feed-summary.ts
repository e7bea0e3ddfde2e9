/**
 * The live feed's summary line: what it delivered and what it had to repair, so an operator
 * reading the log of a week-long run sees at a glance whether the exchange misbehaved (duplicate
 * or out-of-order pushes, bad frames, stalls) and whether any candle could not be delivered.
 */
import type { KlineSequencer } from './kline-sequencer.ts';

export interface FeedTotals {
  reconnects: number;
  stalls: number;
  badFrames: number;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function feedSummary(timeframe: string, bySymbol: ReadonlyMap<string, KlineSequencer>, totals: FeedTotals, openHoles: number): string {
  let live = 0;
  let backfilled = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let holes = 0;
  let gaps = 0;
  const per: string[] = [];
  for (const [symbol, s] of bySymbol) {
    const c = s.counts;
    live += c.live;
    backfilled += c.backfilled;
    duplicates += c.duplicates;
    outOfOrder += c.outOfOrder;
    holes += c.holes;
    gaps += c.gaps;
    per.push(`${symbol} ${c.live + c.backfilled} (${c.backfilled} backfilled)`);
  }
  return (
    `${timeframe} candles ${live + backfilled} (${live} live, ${backfilled} backfilled); ` +
    `${plural(duplicates, 'duplicate')}, ${outOfOrder} out of order, ${plural(totals.badFrames, 'bad frame')} dropped; ` +
    `${plural(totals.reconnects, 'reconnect')} (${plural(totals.stalls, 'stall')}); ` +
    `${plural(holes, 'hole')} (${openHoles} open), ${plural(gaps, 'gap')} recorded; ${per.join(', ')}`
  );
}
