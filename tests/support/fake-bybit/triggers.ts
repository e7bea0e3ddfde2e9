/**
 * Position TP/SL triggers on the candles the fake serves. When the fake clock moves t0 -> t1, every
 * candle of the finest linear series that CLOSED in (t0, t1] is checked in time order against each
 * open position's stop-loss and take-profit (candle low/high); a hit closes the whole position at the
 * trigger price (no slippage), at the candle's close time. Closed candles only: the forming candle
 * already carries its final high/low in this fake, so looking at it would fire before the price got there.
 * Both levels inside one candle: the stop-loss wins (the order of the moves inside a candle is unknown).
 */
import type { AccountBook } from './accounts.ts';
import { lowerBound, type FakeMarketData } from './market-data.ts';
import { closeTriggered } from './matching.ts';

export function runTriggers(data: FakeMarketData, book: AccountBook, t0: number, t1: number): number {
  if (!(t1 > t0)) return 0;
  let fired = 0;
  for (const acct of book.all()) {
    for (const pos of [...acct.positions.values()]) {
      if (pos.size === 0 || (pos.takeProfit === 0 && pos.stopLoss === 0)) continue;
      const s = data.finestSeries('linear', pos.symbol);
      if (s === undefined) continue;
      const { cols, intervalMs } = s;
      // Candles with close time ts + interval in (t0, t1].
      for (let i = lowerBound(cols.ts, cols.length, t0 - intervalMs + 1); i < cols.length && cols.ts[i]! + intervalMs <= t1; i++) {
        const long = pos.size > 0;
        const lo = cols.low[i]!;
        const hi = cols.high[i]!;
        const slHit = pos.stopLoss > 0 && (long ? lo <= pos.stopLoss : hi >= pos.stopLoss);
        const tpHit = pos.takeProfit > 0 && (long ? hi >= pos.takeProfit : lo <= pos.takeProfit);
        if (!slHit && !tpHit) continue;
        const at = cols.ts[i]! + intervalMs;
        closeTriggered({ data, book, now: at }, acct, pos.symbol, slHit ? pos.stopLoss : pos.takeProfit, slHit ? 'StopLoss' : 'TakeProfit');
        fired++;
        break;
      }
    }
  }
  return fired;
}
