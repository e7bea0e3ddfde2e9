/**
 * Intrabar triggering of a position's protective stop and take-profit from one candle's
 * open/high/low. The candle's path between open and close is unknown, so the rules are the
 * conservative ones (docs/execution.md "Stops and take-profits"):
 *
 *  1. a gap: the open is already through the stop -> the stop fills at the open;
 *  2. a gap: the open is already through the take-profit -> it fills at the open (a better price);
 *  3. both stop and take-profit inside [low, high] -> the STOP is assumed to come first (worse);
 *  4. only one touched -> that one fills at its own price.
 *
 * Stops are market orders once triggered (taker fee, slippage); a take-profit is a resting limit
 * (maker fee, no slippage, never better than its limit unless the open gapped through it).
 */

export type ProtectiveKind = 'stop' | 'take_profit';

export interface ProtectiveTrigger {
  readonly kind: ProtectiveKind;
  /** Reference price before slippage: the open on a gap, otherwise the stop / TP level. */
  readonly refPrice: number;
  readonly gap: boolean;
}

/**
 * What triggers for a position of sign `direction` (1 long, -1 short) on a candle, or undefined.
 * Pass NaN for an absent stop or take-profit.
 */
export function protectiveTrigger(
  direction: 1 | -1,
  stop: number,
  takeProfit: number,
  open: number,
  high: number,
  low: number,
): ProtectiveTrigger | undefined {
  const hasStop = !Number.isNaN(stop);
  const hasTp = !Number.isNaN(takeProfit);
  if (direction === 1) {
    if (hasStop && open <= stop) return { kind: 'stop', refPrice: open, gap: true };
    if (hasTp && open >= takeProfit) return { kind: 'take_profit', refPrice: open, gap: true };
    if (hasStop && low <= stop) return { kind: 'stop', refPrice: stop, gap: false };
    if (hasTp && high >= takeProfit) return { kind: 'take_profit', refPrice: takeProfit, gap: false };
    return undefined;
  }
  if (hasStop && open >= stop) return { kind: 'stop', refPrice: open, gap: true };
  if (hasTp && open <= takeProfit) return { kind: 'take_profit', refPrice: open, gap: true };
  if (hasStop && high >= stop) return { kind: 'stop', refPrice: stop, gap: false };
  if (hasTp && low <= takeProfit) return { kind: 'take_profit', refPrice: takeProfit, gap: false };
  return undefined;
}
