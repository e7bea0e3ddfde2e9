/**
 * The signed (private) half of the fake's REST API: verifies X-BAPI-* (signing.ts) against the raw
 * query or body, then serves order/create, order/cancel, order/realtime, order/history,
 * execution/list, position/list, account/wallet-balance, asset/coin/query-info and the two account
 * probes ccxt makes (user/query-api, account/info). Faults of the private kinds (faults.ts) apply
 * to order/create: forced rejects, and "reply lost after accept" (placed, then the socket destroyed).
 * Every authenticated request is counted against Bybit's per-second limits (rate-limits.ts) first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountBook, FakeAccount, FakeExecution, FakeOrder } from './accounts.ts';
import type { FaultQueue } from './faults.ts';
import type { FakeMarketData } from './market-data.ts';
import { amendOrder, cancelAll, cancelOrder, filterMatches, isResting, tpslCheck, type ForcedReject } from './matching.ts';
import { createOrder } from './conditional.ts';
import type { RateLimits } from './rate-limits.ts';
import { executionWire, orderWire, positionWire, walletWire } from './private-wire.ts';
import { envelope, splitSymbol } from './wire.ts';
import { verifySigned } from './signing.ts';

export interface PrivateContext {
  readonly data: FakeMarketData;
  readonly faults: FaultQueue;
  readonly accounts: AccountBook;
  /** The fake clock: order and execution times, prices. */
  readonly now: () => number;
  /** The clock the X-BAPI-TIMESTAMP window is checked against (clients sign with their wall clock); rate-limit windows too. */
  readonly signNow: () => number;
  readonly limits: RateLimits;
}

const DAY = 86_400_000;

type Reply = { readonly result: unknown; readonly retCode?: number; readonly retMsg?: string };
class ParamError extends Error {}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function page<T>(items: readonly T[], q: Record<string, string>, defLimit: number, maxLimit: number): { items: T[]; next: string } {
  const limit = q['limit'] === undefined ? defLimit : Number(q['limit']);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw new ParamError(`params error: limit must be 1..${maxLimit}`);
  const from = q['cursor'] === undefined || q['cursor'] === '' ? 0 : Number(q['cursor']);
  if (!Number.isInteger(from) || from < 0) throw new ParamError('params error: cursor invalid');
  const slice = items.slice(from, from + limit);
  return { items: slice, next: from + limit < items.length ? String(from + limit) : '' };
}

function needCategory(q: Record<string, string>): 'spot' | 'linear' {
  const c = q['category'];
  if (c !== 'spot' && c !== 'linear') throw new ParamError('params error: category only supports spot and linear in the fake');
  return c;
}

function orderMatches(o: FakeOrder, q: Record<string, string>, category: string): boolean {
  if (o.category !== category) return false;
  if (q['symbol'] !== undefined && o.symbol !== q['symbol']) return false;
  if (q['settleCoin'] !== undefined && splitSymbol(o.symbol).quote !== q['settleCoin']) return false;
  if (q['baseCoin'] !== undefined && splitSymbol(o.symbol).base !== q['baseCoin']) return false;
  if (q['orderId'] !== undefined && o.orderId !== q['orderId']) return false;
  if (q['orderLinkId'] !== undefined && o.orderLinkId !== q['orderLinkId']) return false;
  return filterMatches(o, q['orderFilter'], 'query');
}

function isOpen(o: FakeOrder): boolean {
  return isResting(o);
}

/** order/realtime: open orders; by orderId/orderLinkId also a closed one (Bybit keeps recent ones). */
function realtime(acct: FakeAccount, q: Record<string, string>): Reply {
  const category = needCategory(q);
  const byId = q['orderId'] !== undefined || q['orderLinkId'] !== undefined;
  if (category === 'linear' && q['symbol'] === undefined && q['settleCoin'] === undefined && q['baseCoin'] === undefined && !byId) {
    throw new ParamError('params error: symbol, settleCoin or baseCoin is required for linear');
  }
  const all = acct.orders.filter((o) => orderMatches(o, q, category) && (byId && q['openOnly'] !== '1' ? true : isOpen(o))).reverse();
  const { items, next } = page(all, q, 20, 50);
  return { result: { category, list: items.map(orderWire), nextPageCursor: next } };
}

function timeWindow(q: Record<string, string>, now: number): [number, number] {
  const s = q['startTime'] === undefined ? undefined : Number(q['startTime']);
  const e = q['endTime'] === undefined ? undefined : Number(q['endTime']);
  if ((s !== undefined && !Number.isFinite(s)) || (e !== undefined && !Number.isFinite(e))) throw new ParamError('params error: startTime/endTime must be ms');
  // Bybit: a 7-day window; only startTime -> [start, start+7d], only endTime -> [end-7d, end], none -> the last 7 days.
  const [lo, hi] = s !== undefined && e !== undefined ? [s, e] : s !== undefined ? [s, s + 7 * DAY] : e !== undefined ? [e - 7 * DAY, e] : [now - 7 * DAY, now];
  if (hi < lo || hi - lo > 7 * DAY) throw new ParamError('params error: the time range cannot exceed 7 days');
  return [lo, hi];
}

function history(acct: FakeAccount, q: Record<string, string>, now: number): Reply {
  const category = needCategory(q);
  const byId = q['orderId'] !== undefined || q['orderLinkId'] !== undefined;
  const [lo, hi] = byId ? [-Infinity, Infinity] : timeWindow(q, now);
  const all = acct.orders.filter((o) => orderMatches(o, q, category) && (q['orderStatus'] === undefined || o.status === q['orderStatus']) && o.createdTime >= lo && o.createdTime <= hi).reverse();
  const { items, next } = page(all, q, 20, 50);
  return { result: { category, list: items.map(orderWire), nextPageCursor: next } };
}

function executions(acct: FakeAccount, q: Record<string, string>, now: number): Reply {
  const category = needCategory(q);
  if (q['execType'] !== undefined && q['execType'] !== 'Trade') return { result: { category, list: [], nextPageCursor: '' } };
  const seqOf = new Map<FakeExecution, number>(acct.executions.map((e, i) => [e, i + 1]));
  // Bybit: orderId > orderLinkId > symbol, and "as long as these two parameters are in the input
  // parameters, other input parameters will be ignored" (no time window, no symbol) for a query by id.
  let all: FakeExecution[];
  if (q['orderId'] !== undefined) all = acct.executions.filter((e) => e.category === category && e.orderId === q['orderId']);
  else if (q['orderLinkId'] !== undefined) all = acct.executions.filter((e) => e.category === category && e.orderLinkId === q['orderLinkId']);
  else {
    const [lo, hi] = timeWindow(q, now);
    all = acct.executions.filter((e) => e.category === category && (q['symbol'] === undefined || e.symbol === q['symbol']) && e.execTime >= lo && e.execTime <= hi);
  }
  all = all.slice().reverse();
  const { items, next } = page(all, q, 50, 100);
  return { result: { category, list: items.map((e) => executionWire(e, seqOf.get(e)!)), nextPageCursor: next } };
}

function positions(ctx: PrivateContext, acct: FakeAccount, q: Record<string, string>): Reply {
  if (q['category'] !== 'linear') throw new ParamError('params error: category only supports linear in the fake');
  const symbol = q['symbol'];
  if (symbol === undefined && q['settleCoin'] === undefined && q['baseCoin'] === undefined) throw new ParamError('params error: symbol, settleCoin or baseCoin is required');
  const mark = (s: string): number | undefined => ctx.data.lastPrice('linear', s, ctx.now());
  let list: Record<string, unknown>[];
  if (symbol !== undefined) {
    // Bybit lists a flat entry (size 0, side "") for a queried symbol without a position.
    list = ctx.data.hasSymbol('linear', symbol) ? [positionWire(acct.positions.get(symbol), symbol, mark(symbol))] : [];
  } else {
    list = [...acct.positions.values()].filter((p) => p.size !== 0 && (q['settleCoin'] === undefined || splitSymbol(p.symbol).quote === q['settleCoin'])
      && (q['baseCoin'] === undefined || splitSymbol(p.symbol).base === q['baseCoin'])).map((p) => positionWire(p, p.symbol, mark(p.symbol)));
  }
  const { items, next } = page(list, q, 20, 200);
  return { result: { category: 'linear', list: items, nextPageCursor: next } };
}

function coinInfo(ctx: PrivateContext, acct: FakeAccount): Reply {
  const coins = new Set<string>(acct.balances.keys());
  for (const c of ['spot', 'linear'] as const) for (const s of ctx.data.listSymbols(c)) for (const x of Object.values(splitSymbol(s))) coins.add(x);
  const rows = [...coins].sort().map((coin) => ({
    name: coin, coin, remainAmount: '1000000',
    chains: [{ chainType: coin, confirmation: '1', withdrawFee: '0', depositMin: '0', withdrawMin: '0', chain: coin, chainDeposit: '1', chainWithdraw: '1', minAccuracy: '8', withdrawPercentageFee: '0', contractAddress: '' }],
  }));
  return { result: { rows } };
}

/** Private paths the fake serves that Bybit's demo trading domain does not (docs/v5/demo "Available API List"). */
const NOT_ON_DEMO = new Set(['/v5/user/query-api', '/v5/asset/coin/query-info']);

function route(ctx: PrivateContext, acct: FakeAccount, req: IncomingMessage, res: ServerResponse, path: string, q: Record<string, string>, body: Record<string, unknown>): Reply | undefined {
  const now = ctx.now();
  const key = `${req.method ?? 'GET'} ${path}`;
  if (acct.demo && NOT_ON_DEMO.has(path)) return { result: {}, retCode: 10017, retMsg: 'route not found' };
  switch (key) {
    case 'POST /v5/order/create': {
      const fault = ctx.faults.takeOrder();
      const forced = fault !== undefined && fault !== 'reply_lost_after_accept' && fault !== 'reply_delayed_after_accept' ? (fault as ForcedReject) : undefined;
      const r = createOrder({ data: ctx.data, book: ctx.accounts, now }, acct, body, forced);
      if (!r.ok) return { result: {}, retCode: r.retCode, retMsg: r.retMsg };
      if (fault === 'reply_lost_after_accept') {
        // The order stands (and filled); only the answer is lost, as on a network cut after Bybit accepted it.
        req.socket.destroy();
        return undefined;
      }
      if (fault === 'reply_delayed_after_accept') {
        // The order stands (and filled) at once; its answer comes 3 s later: the window between submit and acknowledgement.
        const t = setTimeout(() => {
          if (!res.writableEnded && !req.socket.destroyed) envelope(res, ctx.now(), { orderId: r.order.orderId, orderLinkId: r.order.orderLinkId }, 0, 'OK', 200);
        }, 3000);
        t.unref();
        return undefined;
      }
      return { result: { orderId: r.order.orderId, orderLinkId: r.order.orderLinkId } };
    }
    case 'POST /v5/order/cancel': {
      needCategory(body as Record<string, string>);
      const r = cancelOrder(acct, body, now);
      if (!r.ok) return { result: {}, retCode: r.retCode, retMsg: r.retMsg };
      ctx.accounts.emit(acct, r.order);
      return { result: { orderId: r.order.orderId, orderLinkId: r.order.orderLinkId } };
    }
    case 'POST /v5/order/amend': {
      needCategory(body as Record<string, string>);
      const r = amendOrder(acct, body, now);
      if (!r.ok) return { result: {}, retCode: r.retCode, retMsg: r.retMsg };
      ctx.accounts.emit(acct, r.order);
      return { result: { orderId: r.order.orderId, orderLinkId: r.order.orderLinkId } };
    }
    case 'POST /v5/order/cancel-all': {
      const category = needCategory(body as Record<string, string>);
      if (category === 'linear' && body['symbol'] === undefined && body['settleCoin'] === undefined && body['baseCoin'] === undefined) {
        throw new ParamError('params error: symbol, settleCoin or baseCoin is required for linear');
      }
      const hit = cancelAll(acct, body, now);
      for (const o of hit) ctx.accounts.emit(acct, o);
      return { result: { list: hit.map((o) => ({ orderId: o.orderId, orderLinkId: o.orderLinkId })), success: '1' } };
    }
    case 'POST /v5/position/trading-stop': {
      if (body['category'] !== 'linear') throw new ParamError('params error: category only supports linear in the fake');
      if (body['tpslMode'] !== undefined && body['tpslMode'] !== 'Full') throw new ParamError('params error: fake-bybit only simulates tpslMode Full');
      const pos = acct.positions.get(String(body['symbol']));
      if (pos === undefined || pos.size === 0) return { result: {}, retCode: 10001, retMsg: 'can not set tp/sl/ts for zero position' };
      const price = ctx.data.lastPrice('linear', pos.symbol, now) ?? pos.avgPrice;
      const t = tpslCheck(Math.sign(pos.size), price, body['takeProfit'], body['stopLoss'], pos);
      if (!t.ok) return { result: {}, retCode: t.retCode, retMsg: t.retMsg };
      pos.takeProfit = t.takeProfit;
      pos.stopLoss = t.stopLoss;
      pos.updatedTime = now;
      return { result: {} };
    }
    case 'GET /v5/order/realtime':
      return realtime(acct, q);
    case 'GET /v5/order/history':
      return history(acct, q, now);
    case 'GET /v5/execution/list':
      return executions(acct, q, now);
    case 'GET /v5/position/list':
      return positions(ctx, acct, q);
    case 'GET /v5/account/wallet-balance': {
      if (q['accountType'] !== 'UNIFIED') throw new ParamError('accountType only support UNIFIED');
      const coins = q['coin'] === undefined ? undefined : q['coin'].split(',');
      return { result: walletWire(acct, coins, (s) => ctx.data.lastPrice('linear', s, now)) };
    }
    case 'GET /v5/asset/coin/query-info':
      return coinInfo(ctx, acct);
    case 'GET /v5/user/query-api':
      return {
        result: {
          id: '1', note: 'fake-bybit', apiKey: acct.apiKey, readOnly: acct.readOnly, secret: '', permissions: acct.permissions,
          ips: ['*'], type: 1, deadlineDay: 90, expiredAt: '', createdAt: '', unified: 0, uta: 1, userID: 1, inviterID: 0, vipLevel: 'No VIP', mktMakerLevel: '0', affiliateID: 0, rsaPublicKey: '', isMaster: true,
        },
      };
    case 'GET /v5/account/info':
      return { result: { marginMode: 'REGULAR_MARGIN', updatedTime: String(now), unifiedMarginStatus: 6, dcpStatus: 'OFF', timeWindow: 10, smpGroup: 0, isMasterTrader: false, spotHedgingStatus: 'OFF' } };
    default:
      return { result: {}, retCode: 10017, retMsg: 'route not found' };
  }
}

/** True when `path` belongs to the signed API (everything under /v5/ except /v5/market/). */
export function isPrivatePath(path: string): boolean {
  return path.startsWith('/v5/') && !path.startsWith('/v5/market/');
}

/** Reads the body, authenticates, answers. `rawQuery` is the text after '?', exactly as received. */
export async function handlePrivate(ctx: PrivateContext, req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string, query: Record<string, string>, onBody: (body: string) => void): Promise<void> {
  let bodyText = '';
  for await (const chunk of req) bodyText += String(chunk);
  // Recorded before answering, so a test that got the answer also sees the body in the request log.
  if (bodyText !== '') onBody(bodyText);
  const now = ctx.now();
  const isPost = req.method === 'POST';
  const auth = verifySigned(
    { apiKey: header(req, 'x-bapi-api-key'), timestamp: header(req, 'x-bapi-timestamp'), recvWindow: header(req, 'x-bapi-recv-window'), sign: header(req, 'x-bapi-sign') },
    isPost ? bodyText : rawQuery, (k) => ctx.accounts.secretOf(k), ctx.signNow(),
  );
  if (!auth.ok) {
    envelope(res, now, {}, auth.retCode, auth.retMsg, auth.status);
    return;
  }
  let body: Record<string, unknown> = {};
  if (isPost && bodyText.trim() !== '') {
    try {
      const v: unknown = JSON.parse(bodyText);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>;
    } catch {
      envelope(res, now, {}, 10001, 'params error: body is not JSON');
      return;
    }
  }
  // An empty parameter counts as not given (ccxt sends `orderId=` when asked by orderLinkId only).
  const q = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));
  const category = typeof body['category'] === 'string' ? body['category'] : q['category'];
  const verdict = ctx.limits.take(auth.apiKey, path, category, ctx.signNow());
  res.setHeader('X-Bapi-Limit', String(verdict.limit));
  res.setHeader('X-Bapi-Limit-Status', String(verdict.remaining));
  res.setHeader('X-Bapi-Limit-Reset-Timestamp', String(verdict.resetTimestamp));
  if (!verdict.ok) {
    // Over the per-second limit: nothing is executed (Bybit's 10006, ccxt: RateLimitExceeded).
    envelope(res, now, {}, 10006, 'Too many visits!');
    return;
  }
  let reply: Reply | undefined;
  try {
    reply = route(ctx, ctx.accounts.get(auth.apiKey)!, req, res, path, q, body);
  } catch (e) {
    if (!(e instanceof ParamError)) throw e;
    reply = { result: {}, retCode: 10001, retMsg: e.message };
  }
  if (reply === undefined) return;
  envelope(res, now, reply.result, reply.retCode ?? 0, reply.retCode === undefined ? 'OK' : (reply.retMsg ?? ''), reply.retCode === 10017 ? 404 : 200);
}
