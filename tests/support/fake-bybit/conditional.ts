/**
 * Conditional (trigger) market orders of the fake exchange, Bybit's `order/create` with `triggerPrice`:
 * validated against the served price when placed, resting as `Untriggered` (stopOrderType `Stop`)
 * without holding coin or margin (Bybit: a conditional order "does not occupy the margin"; a spot
 * `StopOrder` occupies the assets only once triggered), then fired by triggers.ts on the candle that
 * trades through the trigger price: `Triggered`, then filled in full as a market order at the trigger
 * price (or at the candle's open when the candle gapped through it). A fill the account cannot afford
 * at that moment, or a reduce-only one with nothing to reduce, ends the order `Cancelled` with no fill.
 */
import type { FakeAccount, FakeOrder } from './accounts.ts';
import { num } from './market-data.ts';
import { fillAt, floorToStep, isTrue, onStep, parseCommon, placeOrder, reject, str, type EngineContext, type ForcedReject, type Placed, type Reject } from './matching.ts';
import { linearInstrument, spotInstrument } from './wire.ts';

/** `order/create`: a body with a `triggerPrice` is a conditional order, anything else a plain one. */
export function createOrder(ctx: EngineContext, acct: FakeAccount, body: Record<string, unknown>, forced?: ForcedReject): Placed | Reject {
  const tp = body['triggerPrice'];
  return tp === undefined || str(tp) === '' ? placeOrder(ctx, acct, body, forced) : placeConditional(ctx, acct, body, forced);
}

/** Bybit prints prices in this retMsg scaled by 1e8 (a reply quoted in ccxt issue #17487: `trigger_price[50000000]` for 0.5). */
function scaled(p: number): string {
  return String(Math.round(p * 1e8));
}

function direction(v: unknown): 0 | 1 | 2 | undefined {
  if (v === undefined || v === '' || v === null) return 0;
  const s = str(v);
  return s === '1' ? 1 : s === '2' ? 2 : undefined;
}

function placeConditional(ctx: EngineContext, acct: FakeAccount, body: Record<string, unknown>, forced?: ForcedReject): Placed | Reject {
  const c = parseCommon(ctx, acct, body, forced);
  if ('ok' in c) return c;
  const { category, symbol, side, orderType, qtyText, qty, orderLinkId } = c;
  if (orderType !== 'Market') return reject(10001, 'params error: fake-bybit simulates conditional Market orders only (a conditional Limit order is not simulated)');
  const triggerPrice = Number(str(body['triggerPrice']));
  if (!Number.isFinite(triggerPrice) || triggerPrice <= 0) return reject(10001, 'params error: triggerPrice invalid');
  if (category === 'spot' && body['orderFilter'] !== 'StopOrder') {
    return reject(10001, 'params error: a spot order with triggerPrice needs orderFilter StopOrder (tpslOrder is not simulated)');
  }
  if (category === 'linear' && (body['takeProfit'] !== undefined || body['stopLoss'] !== undefined)) {
    return reject(10001, 'params error: fake-bybit does not simulate takeProfit/stopLoss on a conditional order');
  }
  const last = ctx.data.lastPrice(category, symbol, ctx.now);
  if (last === undefined) return reject(10001, `params error: fake-bybit serves no candle of ${symbol} at ${new Date(ctx.now).toISOString()}`);
  let dir = direction(body['triggerDirection']);
  if (dir === undefined) return reject(10001, 'params error: triggerDirection must be 1 (rise) or 2 (fall)');
  if (dir === 0) {
    // Bybit documents triggerDirection for linear/inverse only; on spot it follows from the trigger vs the price.
    if (category === 'linear') return reject(10001, 'params error: triggerDirection (1 rise, 2 fall) is required for a conditional order');
    dir = triggerPrice > last ? 1 : triggerPrice < last ? 2 : 0;
    if (dir === 0) return reject(10001, `params error: triggerPrice ${triggerPrice} equals the last price ${last}`);
  }
  if (dir === 1 && triggerPrice <= last) return reject(10001, `expect Rising, but trigger_price[${scaled(triggerPrice)}] <= current[${scaled(last)}]??1`);
  if (dir === 2 && triggerPrice >= last) return reject(10001, `expect Falling, but trigger_price[${scaled(triggerPrice)}] >= current[${scaled(last)}]??1`);
  const reduceOnly = isTrue(body['reduceOnly']);
  const marketUnit = category === 'spot' ? (c.marketUnit === '' ? (side === 'Buy' ? 'quoteCoin' : 'baseCoin') : c.marketUnit) : '';
  const qtyReject = category === 'spot' ? spotQtyCheck(symbol, qty, marketUnit, triggerPrice) : linearQtyCheck(symbol, qty, reduceOnly, triggerPrice);
  if (qtyReject !== undefined) return qtyReject;
  const order: FakeOrder = {
    orderId: ctx.book.nextId('order'), orderLinkId, category, symbol, side, orderType, qty: qtyText, marketUnit, price: '0',
    reduceOnly, timeInForce: 'IOC', stopOrderType: 'Stop', triggerPrice, triggerDirection: dir, closeOnTrigger: isTrue(body['closeOnTrigger']),
    lastPriceOnCreated: num(last), cancelType: 'UNKNOWN', rejectReason: 'EC_NoError',
    createdTime: ctx.now, updatedTime: ctx.now, status: 'Untriggered', avgPrice: 0, cumExecQty: 0, cumExecValue: 0, cumExecFee: 0, leavesQty: qty,
  };
  acct.orders.push(order);
  ctx.book.emit(acct, order);
  return { ok: true, order };
}

/** The market-order qty rules of spot (matching.ts fillSpot), valued at the trigger price. */
function spotQtyCheck(symbol: string, qty: number, marketUnit: string, price: number): Reject | undefined {
  const f = spotInstrument(symbol)['lotSizeFilter'] as Record<string, string>;
  let baseQty = qty;
  if (marketUnit === 'quoteCoin') {
    if (!onStep(qty, Number(f['quotePrecision']))) return reject(170148, 'Market order amount decimal too long');
    baseQty = floorToStep(qty / price, Number(f['basePrecision']));
  } else if (!onStep(qty, Number(f['basePrecision']))) {
    return reject(170137, 'Order volume decimal too long');
  }
  if (baseQty < Number(f['minOrderQty'])) return reject(170136, 'Order quantity lower than the minimum.');
  if (baseQty * price < Number(f['minOrderAmt'])) return reject(170140, 'Transaction amount lower than the minimum.');
  return undefined;
}

/** The market-order qty rules of linear (matching.ts fillLinear), the notional valued at the trigger price. */
function linearQtyCheck(symbol: string, qty: number, reduceOnly: boolean, price: number): Reject | undefined {
  const f = linearInstrument(symbol)['lotSizeFilter'] as Record<string, string>;
  if (!onStep(qty, Number(f['qtyStep']))) return reject(10001, 'Qty invalid');
  if (qty < Number(f['minOrderQty'])) return reject(10001, 'The number of contracts exceeds minimum limit allowed');
  if (!reduceOnly && qty * price < Number(f['minNotionalValue'])) return reject(110094, 'Order does not meet minimum order value 5USDT');
  return undefined;
}

/**
 * The candle that closes at `ctx.now` traded through `order`'s trigger: push `Triggered`, then fill at
 * `price`, or end the order `Cancelled` without a fill when it cannot be filled now (Bybit: "if the margin
 * is insufficient after the conditional order is triggered, the order will be cancelled").
 */
export function fireConditional(ctx: EngineContext, acct: FakeAccount, order: FakeOrder, price: number): boolean {
  order.status = 'Triggered';
  order.updatedTime = ctx.now;
  ctx.book.emit(acct, order);
  if (order.category === 'linear' && order.reduceOnly) {
    const size = acct.positions.get(order.symbol)?.size ?? 0;
    if (size === 0 || Math.sign(size) === (order.side === 'Buy' ? 1 : -1)) {
      Object.assign(order, { status: 'Cancelled', cancelType: 'CancelByReduceOnly', updatedTime: ctx.now });
      ctx.book.emit(acct, order);
      return false;
    }
  }
  const r = fillAt(ctx, acct, order, price);
  if (r.ok) return true;
  Object.assign(order, { status: 'Cancelled', cancelType: 'UNKNOWN', rejectReason: 'EC_Others', updatedTime: ctx.now });
  ctx.book.emit(acct, order);
  return false;
}
