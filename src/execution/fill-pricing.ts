/**
 * Prices and costs of one simulated fill. Slippage is always ADVERSE (a buy pays more, a sell
 * receives less than the reference price); fees are a fraction of the traded notional.
 */
import type { Side } from '../domain/order.ts';

/** Reference price moved against the trader by `bps` basis points. */
export function slippedPrice(side: Side, refPrice: number, bps: number): number {
  return side === 'buy' ? refPrice * (1 + bps / 1e4) : refPrice * (1 - bps / 1e4);
}

/** Fee in quote currency: qty x price x bps / 1e4 (negative only for a maker rebate). */
export function feeOf(qty: number, price: number, bps: number): number {
  return (qty * price * bps) / 1e4;
}

/** Quote-currency cost of slippage versus the reference price. */
export function slippageCostOf(qty: number, fillPrice: number, refPrice: number): number {
  return Math.abs(fillPrice - refPrice) * qty;
}

/**
 * Slippage in bps for the `atr` model: mult x ATR / price x 1e4. Falls back to `fixedBps` while
 * the ATR is not available (warm-up) or not finite, so early fills are never free of slippage.
 */
export function atrSlippageBps(atr: number | undefined, price: number, mult: number, fixedBps: number): number {
  if (atr === undefined || !Number.isFinite(atr) || !(price > 0)) return fixedBps;
  return (mult * atr * 1e4) / price;
}
