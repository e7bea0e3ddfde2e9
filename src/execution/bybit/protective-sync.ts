/**
 * Keeps each strategy's protective stop-loss and take-profit on the exchange in line with its
 * position: exchange-side conditional reduce-only market orders, one pair per strategy and symbol,
 * sized to the position (docs/execution.md says why not Bybit's position TP/SL). Called after a
 * commit, for every position a fill or a change of levels marked dirty: the old pair is cancelled
 * first (two pairs at once could close the position twice), then the new one placed, with
 * orderLinkIds derived from the placement's generation so a restart repeats the same ids.
 */
import type { Side } from '../../domain/order.ts';
import type { BybitPrivateApi, InstrumentRules } from '../../venues/bybit/private-types.ts';
import type { TrackedOrder } from './exchange-book.ts';
import { orderLinkIdOf, type LinkRole } from './order-link-id.ts';
import type { ExecLogger, OrderSender } from './order-sender.ts';
import { floorToStep, roundToTick } from './quantities.ts';
import type { TrackedOrders } from './tracked-orders.ts';

export interface ProtectionDeps {
  readonly api: BybitPrivateApi;
  readonly market: 'spot' | 'linear';
  readonly epoch: string;
  readonly logger: ExecLogger;
  readonly now: () => number;
  readonly rulesOf: (symbol: string) => InstrumentRules;
}

export async function syncProtection(d: ProtectionDeps, book: TrackedOrders, sender: OrderSender): Promise<void> {
  for (const p of book.allPositions()) {
    if (!p.dirty) continue;
    const wantSl = p.qty !== 0 && !Number.isNaN(p.stop);
    const wantTp = p.qty !== 0 && !Number.isNaN(p.takeProfit);
    for (const link of [p.slLink, p.tpLink]) {
      if (link === '') continue;
      const o = book.get(link);
      if (o !== undefined && o.state === 'done') continue;
      try {
        await d.api.cancelOrder(d.market, p.symbol, link);
        if (o !== undefined && o.filledQty === 0) book.finish(o);
      } catch (e) {
        d.logger.warn({ symbol: p.symbol, strategyId: p.strategyId, orderLinkId: link, error: (e as Error).message }, `protective order ${link} of ${p.strategyId} ${p.symbol} could not be cancelled; trying again after the next step`);
        return;
      }
    }
    p.slLink = '';
    p.tpLink = '';
    if (!wantSl && !wantTp) {
      p.dirty = false;
      continue;
    }
    const gen = p.gen + 1;
    const rules = d.rulesOf(p.symbol);
    const qty = floorToStep(Math.abs(p.qty), rules.qtyStep);
    const side: Side = p.qty > 0 ? 'sell' : 'buy';
    const long = p.qty > 0;
    const placed: string[] = [];
    for (const [role, level] of [['s', p.stop], ['t', p.takeProfit]] as Array<[LinkRole, number]>) {
      if (Number.isNaN(level) || !(qty > 0)) continue;
      const price = roundToTick(level, rules.tickSize);
      // A stop of a long triggers when the price falls to it; its take-profit when it rises.
      const direction: 1 | 2 = (role === 's') === long ? 2 : 1;
      const orderId = `${p.strategyId}:${p.symbol}:p${gen}:${role === 's' ? 'sl' : 'tp'}`;
      const linkId = orderLinkIdOf(d.epoch, role, orderId);
      let o: TrackedOrder | undefined = book.get(linkId);
      if (o === undefined) {
        o = {
          linkId, role, orderId, strategyId: p.strategyId, symbol: p.symbol, side, qty, reduceOnly: true, decidedTs: d.now(), refPrice: price,
          trigger: { price, direction }, stop: NaN, takeProfit: NaN, state: 'queued', exchangeOrderId: '', filledQty: 0, reportedQty: 0, exchangeFinal: false, sentAt: 0,
        };
        book.track(o);
      }
      if (o.state === 'queued' || o.state === 'unknown') await sender.place(o);
      if (o.state === 'open') placed.push(linkId);
      if (o.state === 'open' || o.state === 'unknown') {
        if (role === 's') p.slLink = linkId;
        else p.tpLink = linkId;
      }
    }
    p.gen = gen;
    p.dirty = false;
    if (placed.length > 0) {
      d.logger.info({ strategyId: p.strategyId, symbol: p.symbol, qty, stop: p.stop, takeProfit: p.takeProfit },
        `protective orders of ${p.strategyId} ${p.symbol} (${qty}) on the exchange: ${Number.isNaN(p.stop) ? '' : `stop ${p.stop} `}${Number.isNaN(p.takeProfit) ? '' : `take-profit ${p.takeProfit}`}`.trim());
    }
  }
}
