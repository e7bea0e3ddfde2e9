/**
 * The fake exchange's matching engine: validates an order the way Bybit's `POST /v5/order/create`
 * does (instrument filters from instruments-info, balance, reduce-only, orderLinkId) and fills a
 * market order in full at the served candle price (FakeMarketData.lastPrice) with the account's
 * taker fee, producing one execution. Limit orders rest as `New` and never fill (not simulated yet).
 * Spot moves coin balances; linear keeps one net position per symbol with 10x isolated-style margin.
 */
import { round, DEFAULT_LEVERAGE, type AccountBook, type FakeAccount, type FakeOrder } from './accounts.ts';
import { linearInstrument, spotInstrument, splitSymbol } from './wire.ts';
import type { FakeCategory, FakeMarketData } from './market-data.ts';

export type Reject = { readonly ok: false; readonly retCode: number; readonly retMsg: string };
export type Placed = { readonly ok: true; readonly order: FakeOrder };

/** Rejects an operator can force on the next order (faults.ts kinds of the same names). */
export const FORCED_REJECTS = {
  reject_insufficient_balance: { linear: [110007, 'ab not enough for new order'], spot: [170131, 'Insufficient balance.'] },
  reject_qty_min: { linear: [10001, 'The number of contracts exceeds minimum limit allowed'], spot: [170136, 'Order quantity lower than the minimum.'] },
  reject_qty_step: { linear: [10001, 'Qty invalid'], spot: [170137, 'Order volume decimal too long'] },
} as const satisfies Record<string, Record<FakeCategory, readonly [number, string]>>;
export type ForcedReject = keyof typeof FORCED_REJECTS;

const LINK_ID = /^[A-Za-z0-9_-]{1,36}$/;

export function reject(retCode: number, retMsg: string): Reject {
  return { ok: false, retCode, retMsg };
}

/** True when v is a whole multiple of step (tolerating float noise). */
export function onStep(v: number, step: number): boolean {
  const k = v / step;
  return Math.abs(k - Math.round(k)) < 1e-7;
}

export function floorToStep(v: number, step: number): number {
  return round(Math.floor(v / step + 1e-9) * step);
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function isTrue(v: unknown): boolean {
  return v === true || v === 'true' || v === 1 || v === '1';
}

export interface EngineContext {
  readonly data: FakeMarketData;
  readonly book: AccountBook;
  readonly now: number;
}

/** The fields every `order/create` body is checked for first, plain or conditional. */
export interface CommonFields {
  readonly category: FakeCategory;
  readonly symbol: string;
  readonly side: 'Buy' | 'Sell';
  readonly orderType: 'Market' | 'Limit';
  readonly qtyText: string;
  readonly qty: number;
  readonly orderLinkId: string;
  readonly marketUnit: '' | 'baseCoin' | 'quoteCoin';
}

/**
 * Category, symbol, side, type, qty, orderLinkId (format and the 110072 duplicate rule), then a forced
 * reject, then marketUnit: the checks plain and conditional orders share, in that order.
 */
export function parseCommon(ctx: EngineContext, acct: FakeAccount, body: Record<string, unknown>, forced?: ForcedReject): CommonFields | Reject {
  const category = body['category'];
  if (category !== 'spot' && category !== 'linear') return reject(10001, 'params error: category only supports spot and linear in the fake');
  const symbol = str(body['symbol']) ?? '';
  if (!ctx.data.hasSymbol(category, symbol)) return reject(10001, 'params error: symbol invalid');
  const side = body['side'];
  if (side !== 'Buy' && side !== 'Sell') return reject(10001, 'params error: side invalid');
  const orderType = body['orderType'];
  if (orderType !== 'Market' && orderType !== 'Limit') return reject(10001, 'params error: orderType invalid');
  const qtyText = str(body['qty']) ?? '';
  const qty = Number(qtyText);
  if (qtyText === '' || !Number.isFinite(qty) || qty <= 0) return reject(10001, 'params error: qty invalid');
  if (category === 'spot' && (body['takeProfit'] !== undefined || body['stopLoss'] !== undefined)) {
    return reject(10001, 'params error: fake-bybit does not simulate spot TP/SL (takeProfit/stopLoss on a spot order) yet');
  }
  const orderLinkId = str(body['orderLinkId']) ?? '';
  if (orderLinkId !== '' && !LINK_ID.test(orderLinkId)) return reject(10001, 'params error: orderLinkId must be 1-36 letters, digits, - or _');
  if (orderLinkId !== '' && acct.orderByLinkId(orderLinkId) !== undefined) return reject(110072, 'OrderLinkedID is duplicate');
  if (forced !== undefined) {
    const [code, msg] = FORCED_REJECTS[forced][category];
    return reject(code, msg);
  }
  const mu = str(body['marketUnit']) ?? '';
  if (mu !== '' && mu !== 'baseCoin' && mu !== 'quoteCoin') return reject(10001, 'params error: marketUnit invalid');
  return { category, symbol, side, orderType, qtyText, qty, orderLinkId, marketUnit: mu };
}

/** A plain `order/create` body (no triggerPrice) -> a placed (and, for Market, filled) order, or Bybit's reject. */
export function placeOrder(ctx: EngineContext, acct: FakeAccount, body: Record<string, unknown>, forced?: ForcedReject): Placed | Reject {
  const c = parseCommon(ctx, acct, body, forced);
  if ('ok' in c) return c;
  const { category, symbol, side, orderType, qtyText, qty, orderLinkId, marketUnit: mu } = c;
  if (category === 'spot' && body['orderFilter'] !== undefined && body['orderFilter'] !== 'Order') {
    return reject(10001, `params error: orderFilter ${String(body['orderFilter'])} needs a triggerPrice (StopOrder) or is not simulated (tpslOrder)`);
  }
  const order: FakeOrder = {
    orderId: ctx.book.nextId('order'), orderLinkId, category, symbol, side, orderType, qty: qtyText,
    marketUnit: category === 'spot' && orderType === 'Market' ? (mu === '' ? (side === 'Buy' ? 'quoteCoin' : 'baseCoin') : mu) : '',
    price: orderType === 'Limit' ? (str(body['price']) ?? '') : '0',
    reduceOnly: isTrue(body['reduceOnly']), timeInForce: str(body['timeInForce']) ?? (orderType === 'Market' ? 'IOC' : 'GTC'), stopOrderType: '',
    triggerPrice: 0, triggerDirection: 0, closeOnTrigger: isTrue(body['closeOnTrigger']), lastPriceOnCreated: '', cancelType: 'UNKNOWN', rejectReason: 'EC_NoError',
    createdTime: ctx.now, updatedTime: ctx.now, status: 'New', avgPrice: 0, cumExecQty: 0, cumExecValue: 0, cumExecFee: 0, leavesQty: qty,
  };
  if (orderType === 'Limit') {
    if (!(Number(order.price) > 0)) return reject(10001, 'params error: price is required for a Limit order');
    acct.orders.push(order);
    ctx.book.emit(acct, order);
    return { ok: true, order };
  }
  const price = ctx.data.lastPrice(category, symbol, ctx.now);
  if (price === undefined) return reject(10001, `params error: fake-bybit serves no candle of ${symbol} at ${new Date(ctx.now).toISOString()}`);
  let tpsl: { takeProfit: number; stopLoss: number } | undefined;
  if (category === 'linear' && (body['takeProfit'] !== undefined || body['stopLoss'] !== undefined)) {
    // Bybit: TP/SL on an order apply to the position it opens (Full mode).
    const t = tpslCheck(side === 'Buy' ? 1 : -1, price, body['takeProfit'], body['stopLoss']);
    if (!t.ok) return t;
    tpsl = t;
  }
  const filled = category === 'spot' ? fillSpot(acct, order, qty, price) : fillLinear(acct, order, qty, price, ctx.now);
  if (!filled.ok) return filled;
  if (tpsl !== undefined) {
    const p = acct.positions.get(symbol);
    if (p !== undefined && p.size !== 0) Object.assign(p, tpsl);
  }
  recordFill(ctx, acct, order, filled, price);
  return { ok: true, order };
}

/**
 * Validates TP/SL prices for a position of direction `dir` at `price` (Bybit refuses a long's SL at
 * or above the price and its TP at or below it); '0' or '' clears one, undefined keeps `keep`.
 */
export function tpslCheck(dir: number, price: number, tp: unknown, sl: unknown, keep = { takeProfit: 0, stopLoss: 0 }): { ok: true; takeProfit: number; stopLoss: number } | Reject {
  const parse = (v: unknown, old: number): number => (v === undefined ? old : str(v) === '' ? 0 : Number(str(v)));
  const takeProfit = parse(tp, keep.takeProfit);
  const stopLoss = parse(sl, keep.stopLoss);
  if (!Number.isFinite(takeProfit) || !Number.isFinite(stopLoss) || takeProfit < 0 || stopLoss < 0) return reject(10001, 'params error: takeProfit/stopLoss invalid');
  if (takeProfit > 0 && (takeProfit - price) * dir <= 0) return reject(10001, `TakeProfit:${takeProfit} set for ${dir > 0 ? 'Buy' : 'Sell'} position should be ${dir > 0 ? 'higher' : 'lower'} than base_price:${price}`);
  if (stopLoss > 0 && (stopLoss - price) * dir >= 0) return reject(10001, `StopLoss:${stopLoss} set for ${dir > 0 ? 'Buy' : 'Sell'} position should be ${dir > 0 ? 'lower' : 'higher'} than base_price:${price}`);
  return { ok: true, takeProfit, stopLoss };
}

function recordFill(ctx: EngineContext, acct: FakeAccount, order: FakeOrder, filled: Extract<Fill, { ok: true }>, price: number): void {
  const { orderLinkId, category, symbol, side, orderType, stopOrderType } = order;
  // A triggered conditional order is on the books already; a market order enters them with its fill.
  if (!acct.orders.includes(order)) acct.orders.push(order);
  acct.executions.push({
    execId: ctx.book.nextId('exec'), orderId: order.orderId, orderLinkId, category, symbol, side, orderType, stopOrderType, orderQty: order.qty, orderPrice: order.price,
    execPrice: price, execQty: filled.baseQty, execValue: round(filled.baseQty * price), execFee: filled.fee, feeCurrency: filled.feeCoin,
    feeRate: acct.takerFee, execTime: ctx.now, isMaker: false,
  });
  Object.assign(order, { status: 'Filled', updatedTime: ctx.now, avgPrice: price, cumExecQty: filled.baseQty, cumExecValue: round(filled.baseQty * price), cumExecFee: filled.fee, leavesQty: 0 });
  ctx.book.emit(acct, order, acct.executions.at(-1));
}

/** Closes a linear position at `price` because its TP or SL triggered: a reduce-only market order and its execution. */
export function closeTriggered(ctx: EngineContext, acct: FakeAccount, symbol: string, price: number, kind: 'TakeProfit' | 'StopLoss'): FakeOrder | undefined {
  const pos = acct.positions.get(symbol);
  if (pos === undefined || pos.size === 0) return undefined;
  const qty = Math.abs(pos.size);
  const order: FakeOrder = {
    orderId: ctx.book.nextId('order'), orderLinkId: '', category: 'linear', symbol, side: pos.size > 0 ? 'Sell' : 'Buy', orderType: 'Market', qty: String(qty),
    marketUnit: '', price: '0', reduceOnly: true, timeInForce: 'IOC', stopOrderType: kind, createdTime: ctx.now, updatedTime: ctx.now,
    triggerPrice: price, triggerDirection: 0, closeOnTrigger: true, lastPriceOnCreated: '', cancelType: 'UNKNOWN', rejectReason: 'EC_NoError',
    status: 'New', avgPrice: 0, cumExecQty: 0, cumExecValue: 0, cumExecFee: 0, leavesQty: qty,
  };
  const filled = fillLinear(acct, order, qty, price, ctx.now);
  if (!filled.ok) return undefined;
  pos.takeProfit = 0;
  pos.stopLoss = 0;
  recordFill(ctx, acct, order, filled, price);
  return order;
}

/**
 * Fills `order` (already validated) in full at `price` now: balances/position move, one execution,
 * the change pushed. A reject (not enough coin or margin, reduce-only with nothing to reduce) changes nothing.
 */
export function fillAt(ctx: EngineContext, acct: FakeAccount, order: FakeOrder, price: number): Placed | Reject {
  const qty = Number(order.qty);
  const filled = order.category === 'spot' ? fillSpot(acct, order, qty, price) : fillLinear(acct, order, qty, price, ctx.now);
  if (!filled.ok) return filled;
  recordFill(ctx, acct, order, filled, price);
  return { ok: true, order };
}

type Fill = { readonly ok: true; readonly baseQty: number; readonly fee: number; readonly feeCoin: string } | Reject;

/** Spot: a buy pays the fee in the base coin it receives, a sell in the quote coin (Bybit's rule). */
function fillSpot(acct: FakeAccount, order: FakeOrder, qty: number, price: number): Fill {
  const f = spotInstrument(order.symbol)['lotSizeFilter'] as Record<string, string>;
  const basePrecision = Number(f['basePrecision']);
  const { base, quote } = splitSymbol(order.symbol);
  let baseQty: number;
  if (order.marketUnit === 'quoteCoin') {
    if (!onStep(qty, Number(f['quotePrecision']))) return reject(170148, 'Market order amount decimal too long');
    baseQty = floorToStep(qty / price, basePrecision);
  } else {
    if (!onStep(qty, basePrecision)) return reject(170137, 'Order volume decimal too long');
    baseQty = qty;
  }
  if (baseQty < Number(f['minOrderQty'])) return reject(170136, 'Order quantity lower than the minimum.');
  const value = round(baseQty * price);
  if (value < Number(f['minOrderAmt'])) return reject(170140, 'Transaction amount lower than the minimum.');
  if (order.side === 'Buy') {
    if (value > acct.balance(quote) + 1e-9) return reject(170131, 'Insufficient balance.');
    const fee = round(baseQty * acct.takerFee);
    acct.credit(quote, -value);
    acct.credit(base, baseQty - fee);
    return { ok: true, baseQty, fee, feeCoin: base };
  }
  if (baseQty > acct.balance(base) + 1e-9) return reject(170131, 'Insufficient balance.');
  const fee = round(value * acct.takerFee);
  acct.credit(base, -baseQty);
  acct.credit(quote, value - fee);
  return { ok: true, baseQty, fee, feeCoin: quote };
}

/** Linear: one net position per symbol, fees and realised PnL settle in the settle coin. */
function fillLinear(acct: FakeAccount, order: FakeOrder, qty: number, price: number, now: number): Fill {
  const f = linearInstrument(order.symbol)['lotSizeFilter'] as Record<string, string>;
  const settle = splitSymbol(order.symbol).quote;
  if (!onStep(qty, Number(f['qtyStep']))) return reject(10001, 'Qty invalid');
  if (qty < Number(f['minOrderQty'])) return reject(10001, 'The number of contracts exceeds minimum limit allowed');
  const pos = acct.positions.get(order.symbol);
  const size = pos?.size ?? 0;
  const dir = order.side === 'Buy' ? 1 : -1;
  let q = qty;
  if (order.reduceOnly) {
    if (size === 0 || Math.sign(size) === dir) return reject(110017, 'Reduce-only rule not satisfied');
    q = Math.min(q, Math.abs(size));
  } else if (round(qty * price) < Number(f['minNotionalValue'])) {
    return reject(110094, 'Order does not meet minimum order value 5USDT');
  }
  const closing = size !== 0 && Math.sign(size) !== dir ? Math.min(q, Math.abs(size)) : 0;
  const opening = round(q - closing);
  const fee = round(q * price * acct.takerFee);
  if (opening > 0) {
    const need = (opening * price) / DEFAULT_LEVERAGE + fee;
    if (need > acct.balance(settle) - acct.positionMargin() + 1e-9) return reject(110007, 'ab not enough for new order');
  }
  const pnl = closing > 0 ? round(closing * (price - pos!.avgPrice) * Math.sign(size)) : 0;
  acct.credit(settle, pnl - fee);
  const p = pos ?? { symbol: order.symbol, size: 0, avgPrice: 0, cumRealisedPnl: 0, leverage: DEFAULT_LEVERAGE, takeProfit: 0, stopLoss: 0, createdTime: now, updatedTime: now };
  const newSize = round(size + dir * q);
  if (opening > 0) p.avgPrice = size === 0 || Math.sign(size) !== dir ? price : round((Math.abs(size) * p.avgPrice + opening * price) / (Math.abs(size) + opening));
  if (newSize === 0) Object.assign(p, { avgPrice: 0, takeProfit: 0, stopLoss: 0 });
  p.size = newSize;
  p.cumRealisedPnl = round(p.cumRealisedPnl + pnl - fee);
  p.updatedTime = now;
  acct.positions.set(order.symbol, p);
  return { ok: true, baseQty: q, fee, feeCoin: settle };
}

/** `order/cancel`: only a resting order can be cancelled; Bybit answers 110001 otherwise. */
export function cancelOrder(acct: FakeAccount, body: Record<string, unknown>, now: number): Placed | Reject {
  const id = str(body['orderId']);
  const link = str(body['orderLinkId']);
  if (id === undefined && link === undefined) return reject(10001, 'params error: orderId or orderLinkId is required');
  // Bybit: orderId wins over orderLinkId when both are given.
  const order = acct.orders.find((o) => (id !== undefined ? o.orderId === id : o.orderLinkId === link) && o.symbol === body['symbol'] && o.category === body['category']);
  if (order === undefined || !isResting(order) || !filterMatches(order, body['orderFilter'], 'cancel')) return reject(110001, 'Order does not exist.');
  closeResting(order, now);
  return { ok: true, order };
}

/** `order/amend`: qty and/or price of a resting order (the only kind this fake has). */
export function amendOrder(acct: FakeAccount, body: Record<string, unknown>, now: number): Placed | Reject {
  const id = str(body['orderId']);
  const link = str(body['orderLinkId']);
  if (id === undefined && link === undefined) return reject(10001, 'params error: orderId or orderLinkId is required');
  const order = acct.orders.find((o) => (id === undefined || o.orderId === id) && (link === undefined || o.orderLinkId === link) && o.symbol === body['symbol']);
  if (order === undefined || order.status !== 'New') return reject(110001, 'Order does not exist.');
  const qty = str(body['qty']);
  const price = str(body['price']);
  if (qty === undefined && price === undefined) return reject(10001, 'params error: nothing to amend');
  if ((qty !== undefined && !(Number(qty) > 0)) || (price !== undefined && !(Number(price) > 0))) return reject(10001, 'params error: qty/price invalid');
  if (qty !== undefined) {
    order.qty = qty;
    order.leavesQty = Number(qty);
  }
  if (price !== undefined) order.price = price;
  order.updatedTime = now;
  return { ok: true, order };
}

/** `order/cancel-all`: every resting order of the category (optionally one symbol / settle coin / base coin; `orderFilter`). */
export function cancelAll(acct: FakeAccount, body: Record<string, unknown>, now: number): FakeOrder[] {
  const hit = acct.orders.filter((o) => isResting(o) && o.category === body['category'] && (body['symbol'] === undefined || o.symbol === body['symbol'])
    && (body['settleCoin'] === undefined || splitSymbol(o.symbol).quote === body['settleCoin']) && (body['baseCoin'] === undefined || splitSymbol(o.symbol).base === body['baseCoin'])
    && filterMatches(o, body['orderFilter'], 'cancel'));
  for (const o of hit) closeResting(o, now);
  return hit;
}

/** An order that still waits on the books: a resting limit order or an untriggered conditional one. */
export function isResting(o: FakeOrder): boolean {
  return o.status === 'New' || o.status === 'PartiallyFilled' || o.status === 'Untriggered';
}

/**
 * Bybit's `orderFilter`: `Order` = plain orders, `StopOrder` = conditional orders (stopOrderType Stop),
 * other values (tpslOrder, OcoOrder, ...) match nothing here. Not given: on spot `cancel`/`cancel-all`
 * mean `Order` (Bybit's default there); everywhere else every kind matches (UTA default).
 */
export function filterMatches(o: FakeOrder, filter: unknown, use: 'cancel' | 'query'): boolean {
  const f = filter === undefined || filter === '' ? (use === 'cancel' && o.category === 'spot' ? 'Order' : undefined) : filter;
  if (f === undefined) return true;
  if (f === 'Order') return o.stopOrderType === '';
  if (f === 'StopOrder') return o.stopOrderType === 'Stop';
  return false;
}

/** A user cancel: a resting limit order ends Cancelled, an untriggered conditional one Deactivated (Bybit's UTA status). */
function closeResting(o: FakeOrder, now: number): void {
  o.status = o.status === 'Untriggered' ? 'Deactivated' : 'Cancelled';
  o.cancelType = 'CancelByUser';
  o.updatedTime = now;
}
