/**
 * One Bybit execution as the account books it. Actual numbers, not modelled ones: the execution's
 * price, quantity and fee; slippage is the difference to the order's reference price (the
 * decision candle's close for a strategy's order, the trigger price for a protective one).
 *
 * Spot buys pay their fee in the base coin (Bybit's rule): the account receives qty - fee of the
 * coin, which is usually not a multiple of the lot step, and only lot multiples can ever be sold.
 * The fill books that net quantity floored to the lot step, and the rest of the execution's
 * quantity (the fee and the unsellable sub-lot dust) as the fee's value in the quote coin, so the
 * book's cash moves by exactly the execution's value and its positions close to exactly zero when
 * sold; the wallet keeps the dust, which reconciliation tells apart from a foreign holding (less
 * than the instrument's minimum order quantity).
 */
import type { Fill, FillReason } from '../../domain/order.ts';
import type { ExchangeExecution, InstrumentRules } from '../../venues/bybit/private-types.ts';
import type { TrackedOrder } from './exchange-book.ts';
import { floorToStep } from './quantities.ts';

const REASON: Readonly<Record<TrackedOrder['role'], FillReason>> = { e: 'signal', s: 'stop', t: 'take_profit' };

export type FeeProblem = { readonly currency: string } | undefined;

export function fillOfExecution(x: ExchangeExecution, o: TrackedOrder, rules: InstrumentRules): { fill: Fill; feeProblem: FeeProblem } {
  let qty = x.qty;
  let fee = x.fee;
  let feeProblem: FeeProblem;
  if (x.feeCurrency === rules.base && rules.base !== rules.quote) {
    qty = floorToStep(x.qty - x.fee, rules.qtyStep);
    fee = (x.qty - qty) * x.price;
  } else if (x.feeCurrency !== rules.quote && x.feeCurrency !== '' && x.fee !== 0) {
    // A fee in a third coin (a fee-discount token) has no price here: booked as 0, reported.
    fee = 0;
    feeProblem = { currency: x.feeCurrency };
  }
  const adverse = o.side === 'buy' ? x.price - o.refPrice : o.refPrice - x.price;
  const slippageCost = Number.isFinite(o.refPrice) && o.refPrice > 0 ? adverse * qty : 0;
  return {
    fill: { id: x.execId, orderId: o.orderId, strategyId: o.strategyId, symbol: o.symbol, side: o.side, qty, price: x.price, fee, slippageCost, ts: x.execTime, reason: REASON[o.role] },
    feeProblem,
  };
}
