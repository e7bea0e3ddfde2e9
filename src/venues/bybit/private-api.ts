/**
 * Bybit's signed REST (BybitPrivateApi, private-types.ts) through ccxt's IMPLICIT API methods
 * (privatePostV5OrderCreate, privateGetV5ExecutionList, ...), not the unified ones: the daemon needs
 * Bybit's exact fields (orderLinkId, execId, marketUnit, triggerDirection, closeOnTrigger) and the
 * raw replies, which createOrder/fetchMyTrades reshape or hide. ccxt still signs, builds the URLs,
 * throttles and maps retCodes to its exception classes; every reply is shape-checked in
 * private-replies.ts.
 *
 * One request at a time per client: ccxt reports a refusal's retCode and the `X-Bapi-Limit-*`
 * headers through fields of the client (`last_json_response`, `last_response_headers`), which are
 * only the answer to OUR request while no other is in flight. The daemon's private traffic is a
 * handful of requests per candle, so this costs nothing that matters.
 *
 * Errors: reads retry rate limits and network errors with the configured policy (withRetry);
 * AuthenticationError (10003, 10004, 10005) -> CT_ERR_EXCHANGE_AUTH "check the key, secret and
 * permissions"; InvalidNonce (10002) -> CT_ERR_CLOCK_SKEW. No message ever carries the key or the
 * secret: ccxt's message embeds the reply body (Bybit's 10004 echoes the signed string, which holds
 * the key), so auth errors drop it and every other message has both redacted.
 */
import ccxt from 'ccxt';
import { CtError, isCtError } from '../../core/errors.ts';
import type { MarketType } from '../../domain/instrument.ts';
import type { BybitClient } from './ccxt-client.ts';
import { clearLastReply, createPrivateClient, lastHeaders, lastJson, type PrivateClientOptions } from './private-client.ts';
import { placeBody, instrumentRules, marketCategory } from './private-orders.ts';
import {
  asObject, listPage, parseAccountInfo, parseExecution, parseOrder, parsePosition, parseServerTime, parseWallet, replyInvalid, type SymbolOf,
} from './private-replies.ts';
import type { AccountInfo, BybitPrivateApi, ExchangeExecution, ExchangeOrder, ExchangePosition, InstrumentRules, PlaceOrderRequest, PlaceOutcome, WalletCoin } from './private-types.ts';
import { RatePacer, type PacerClock } from './rate-pacer.ts';
import { loadMarkets, resolveMarket, type ResolvedMarket } from './rest-klines.ts';
import { backoffDelay, sleep, withRetry, type RetryPolicy, type VenueLogger } from './retry.ts';

export interface PrivateApiOptions extends PrivateClientOptions {
  readonly retry: RetryPolicy;
  readonly logger: VenueLogger;
  /** Largest |local clock - Bybit's| checkClock accepts (default 5000 ms, Bybit's default recvWindow). */
  readonly maxClockSkewMs?: number;
  /** Longest wait for a rate-limit window to reset (default 10 000 ms). */
  readonly maxPaceWaitMs?: number;
  /** Tests: the clock the pacer and the rate-limit backoff use (default Date.now / setTimeout). */
  readonly clock?: PacerClock;
}

export const DEFAULT_MAX_CLOCK_SKEW_MS = 5000;
const DAY = 86_400_000;
/** Bybit's execution/list: at most 7 days per request, and no older than 2 years. */
const EXEC_WINDOW_MS = 7 * DAY;
const EXEC_HISTORY_MS = 730 * DAY;
/** Retcodes of order/create that mean "the server failed", not "refused": the order may exist. */
const SERVER_FAILURE = new Set([10000, 10016]);
/**
 * order/realtime (and order/cancel) without orderFilter covers every kind of order on linear; on
 * spot, Bybit's older rule was "plain orders only" (newer docs say every kind), so spot also asks
 * for StopOrder (conditional) explicitly. Orders seen twice are merged by orderId.
 */
const REALTIME_FILTERS: Readonly<Record<MarketType, readonly (Record<string, string>)[]>> = {
  spot: [{}, { orderFilter: 'StopOrder' }],
  linear: [{}],
};

type Call = (c: BybitClient) => Promise<unknown>;

class BybitPrivateRest implements BybitPrivateApi {
  private readonly client: BybitClient;
  private readonly pacer: RatePacer;
  private readonly clock: PacerClock;
  private chain: Promise<unknown> = Promise.resolve();
  private symbolMaps: Record<MarketType, Map<string, string>> | undefined;
  private readonly symbolOf: SymbolOf = (market, id) => this.symbolMaps?.[market].get(id);

  constructor(private readonly opts: PrivateApiOptions) {
    this.client = createPrivateClient(opts);
    this.clock = opts.clock ?? { now: () => Date.now(), sleep: (ms) => sleep(ms) };
    this.pacer = new RatePacer(this.clock, opts.maxPaceWaitMs);
  }

  async checkClock(): Promise<{ skewMs: number }> {
    const before = Date.now();
    const body = await this.read('/v5/market/time', 'bybit market/time', (c) => c.publicGetV5MarketTime());
    const localMid = (before + Date.now()) / 2;
    const skewMs = Math.round(localMid - parseServerTime(body, 'bybit market/time'));
    const max = this.opts.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
    // 0: measured and reported only, requests signed with the local clock (an exchange whose
    // clock runs at its own pace, like a replaying test server, while it checks signatures on ours).
    if (max === 0) return { skewMs };
    if (Math.abs(skewMs) > max) {
      throw new CtError('CT_ERR_CLOCK_SKEW', `the local clock is ${Math.abs(skewMs)} ms ${skewMs > 0 ? 'ahead of' : 'behind'} Bybit's (allowed ${max} ms): signed requests would be refused; sync the system clock (NTP)`, {
        details: { skewMs, maxClockSkewMs: max },
      });
    }
    // ccxt signs with Date.now() - timeDifference: the exchange's clock.
    this.client.options['timeDifference'] = skewMs;
    this.pacer.skewMs = skewMs;
    return { skewMs };
  }

  async accountInfo(): Promise<AccountInfo> {
    let api: unknown;
    try {
      api = await this.read('/v5/user/query-api', 'bybit user/query-api', (c) => c.privateGetV5UserQueryApi());
    } catch (e) {
      if (isCtError(e) && (e.code === 'CT_ERR_EXCHANGE_AUTH' || e.code === 'CT_ERR_CLOCK_SKEW')) throw e; // refused credentials, a skewed clock: final
      // Bybit's demo trading domain does not offer the key's own information (docs/v5/demo): not knowing its permissions is no reason to stop.
      this.opts.logger.info({ error: (e as Error).message }, `the API key's permissions could not be read (${(e as Error).message}); demo trading does not offer /v5/user/query-api`);
      api = { result: { readOnly: 0, permissions: {} } };
    }
    const info = await this.read('/v5/account/info', 'bybit account/info', (c) => c.privateGetV5AccountInfo());
    return parseAccountInfo(api, info, 'bybit user/query-api + account/info');
  }

  async instruments(market: MarketType, symbols: readonly string[]): Promise<ReadonlyMap<string, InstrumentRules>> {
    const out = new Map<string, InstrumentRules>();
    for (const s of symbols) {
      await this.resolve(market, s);
      out.set(s, instrumentRules(this.client.market(s), s));
    }
    return out;
  }

  async placeOrder(req: PlaceOrderRequest): Promise<PlaceOutcome> {
    const m = await this.resolve(req.market, req.symbol);
    const body = placeBody(req, m, this.client.market(req.symbol));
    const path = '/v5/order/create';
    const where = `bybit order/create ${m.category} ${m.id} orderLinkId ${req.orderLinkId}`;
    for (let attempt = 0; ; attempt++) {
      let reply: unknown;
      try {
        reply = await this.send(path, where, (c) => c.privatePostV5OrderCreate(body));
      } catch (e) {
        if (e instanceof CtError) throw e;
        const refusal = replyOf(e);
        const code = retCodeOf(refusal);
        if (e instanceof ccxt.RateLimitExceeded || e instanceof ccxt.DDoSProtection) {
          // Bybit refused before placing anything: safe to send again after pacing.
          if (attempt + 1 >= this.opts.retry.attempts) return { kind: 'rejected', code: code ?? 10006, message: `rate limited ${this.opts.retry.attempts} times` };
          const paced = this.pacer.delayFor(path);
          const delay = paced > 0 ? 0 : backoffDelay(this.opts.retry, attempt);
          this.opts.logger.warn({ code: 'CT_ERR_EXCHANGE_RATE_LIMIT', where, attempt: attempt + 1, delayMs: delay + paced }, `CT_ERR_EXCHANGE_RATE_LIMIT: ${where}: rate limited; sending again in ${delay + paced} ms`);
          if (delay > 0) await this.clock.sleep(delay);
          continue;
        }
        if (code === 110072) return { kind: 'duplicate' };
        if (e instanceof ccxt.ExchangeError && !(e instanceof ccxt.BadResponse) && code !== undefined && !SERVER_FAILURE.has(code)) {
          return { kind: 'rejected', code, message: retMsgOf(refusal) };
        }
        // No answer, a 5xx, a server failure or an unreadable reply: it may have been placed.
        const message = `${e instanceof Error ? e.constructor.name : typeof e}: ${this.redact(e instanceof Error ? e.message : String(e)).slice(0, 300)}`;
        this.opts.logger.warn({ code: 'CT_ERR_EXCHANGE_UNAVAILABLE', where }, `CT_ERR_EXCHANGE_UNAVAILABLE: ${where}: outcome unknown (${message}); look the order up by orderLinkId`);
        return { kind: 'unknown', message };
      }
      const orderId = asObject(reply, where, 'reply')['result'] as Record<string, unknown> | undefined;
      const id = orderId?.['orderId'];
      if (typeof id !== 'string' || id === '') {
        const err = replyInvalid(where, 'result.orderId', id, 'a non-empty string');
        this.opts.logger.error({ code: err.code, where }, err.toLine());
        return { kind: 'unknown', message: err.message };
      }
      return { kind: 'accepted', orderId: id };
    }
  }

  async cancelOrder(market: MarketType, symbol: string, orderLinkId: string): Promise<'cancelled' | 'not_found'> {
    const m = await this.resolve(market, symbol);
    const where = `bybit order/cancel ${m.category} ${m.id} orderLinkId ${orderLinkId}`;
    // A spot conditional order is only found with orderFilter StopOrder.
    for (const filter of REALTIME_FILTERS[market]) {
      const r = await this.read('/v5/order/cancel', where, async (c) => {
        try {
          return await c.privatePostV5OrderCancel({ category: m.category, symbol: m.id, orderLinkId, ...filter });
        } catch (e) {
          if (e instanceof ccxt.OrderNotFound) return 'not_found';
          throw e;
        }
      });
      if (r !== 'not_found') return 'cancelled';
    }
    return 'not_found';
  }

  async findOrder(market: MarketType, symbol: string, orderLinkId: string): Promise<ExchangeOrder | undefined> {
    const m = await this.resolve(market, symbol);
    const q = { category: m.category, symbol: m.id, orderLinkId };
    for (const filter of REALTIME_FILTERS[market]) {
      const found = (await this.orders('/v5/order/realtime', market, { ...q, ...filter }, 1)).find((o) => o.orderLinkId === orderLinkId);
      if (found !== undefined) return found;
    }
    return (await this.orders('/v5/order/history', market, q, 1)).find((o) => o.orderLinkId === orderLinkId);
  }

  async openOrders(market: MarketType, symbols: readonly string[]): Promise<ExchangeOrder[]> {
    await this.resolveAll(market, symbols);
    const base = market === 'spot' ? { category: 'spot' } : { category: 'linear', settleCoin: 'USDT' };
    const seen = new Map<string, ExchangeOrder>();
    for (const filter of REALTIME_FILTERS[market]) {
      for (const o of await this.orders('/v5/order/realtime', market, { ...base, ...filter, limit: 50 })) seen.set(o.orderId, o);
    }
    return [...seen.values()].filter((o) => symbols.length === 0 || symbols.includes(o.symbol)).sort((a, b) => a.createdTime - b.createdTime);
  }

  async executions(market: MarketType, sinceMs: number): Promise<ExchangeExecution[]> {
    await this.resolveAll(market, []);
    const now = Math.ceil(parseServerTime(await this.read('/v5/market/time', 'bybit market/time', (c) => c.publicGetV5MarketTime()), 'bybit market/time'));
    const category = marketCategory(market);
    const byId = new Map<string, { e: ExchangeExecution; n: number }>();
    let n = 0;
    for (let start = Math.max(sinceMs, now - EXEC_HISTORY_MS); start <= now; start += EXEC_WINDOW_MS) {
      const end = Math.min(start + EXEC_WINDOW_MS - 1, now);
      const where = `bybit execution/list ${category} ${start}..${end}`;
      const rows = await this.pages('/v5/execution/list', where, { category, startTime: start, endTime: end, limit: 100 }, (c, p) => c.privateGetV5ExecutionList(p));
      // Each page is newest first: number the rows backwards so equal times keep the exchange's order.
      for (const raw of rows) {
        const e = parseExecution(raw, market, this.symbolOf, where);
        if (!byId.has(e.execId)) byId.set(e.execId, { e, n: --n });
      }
    }
    return [...byId.values()].sort((a, b) => a.e.execTime - b.e.execTime || a.n - b.n).map((x) => x.e);
  }

  async positions(market: MarketType, symbols: readonly string[]): Promise<ExchangePosition[]> {
    if (market === 'spot') return [];
    await this.resolveAll(market, symbols);
    const where = 'bybit position/list linear settleCoin USDT';
    const rows = await this.pages('/v5/position/list', where, { category: 'linear', settleCoin: 'USDT', limit: 200 }, (c, p) => c.privateGetV5PositionList(p));
    return rows.map((r) => parsePosition(r, this.symbolOf, where)).filter((p) => p.qty !== 0 && (symbols.length === 0 || symbols.includes(p.symbol)));
  }

  async wallet(): Promise<WalletCoin[]> {
    const where = 'bybit account/wallet-balance UNIFIED';
    return parseWallet(await this.read('/v5/account/wallet-balance', where, (c) => c.privateGetV5AccountWalletBalance({ accountType: 'UNIFIED' })), where);
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private async orders(path: string, market: MarketType, params: Record<string, unknown>, maxPages = Infinity): Promise<ExchangeOrder[]> {
    const where = `bybit ${path.slice(4)} ${JSON.stringify(params)}`;
    const call = path === '/v5/order/history' ? (c: BybitClient, p: Record<string, unknown>) => c.privateGetV5OrderHistory(p) : (c: BybitClient, p: Record<string, unknown>) => c.privateGetV5OrderRealtime(p);
    const rows = await this.pages(path, where, params, call, maxPages);
    return rows.map((r) => parseOrder(r, market, this.symbolOf, where));
  }

  /** Every row of a cursor-paged list (at most `maxPages` pages). */
  private async pages(path: string, where: string, params: Record<string, unknown>, call: (c: BybitClient, p: Record<string, unknown>) => Promise<unknown>, maxPages = Infinity): Promise<unknown[]> {
    const rows: unknown[] = [];
    let cursor = '';
    for (let page = 0; page < maxPages; page++) {
      const p = cursor === '' ? params : { ...params, cursor };
      const { list, cursor: next } = listPage(await this.read(path, where, (c) => call(c, p)), where);
      rows.push(...list);
      if (next === '' || next === cursor) break;
      cursor = next;
    }
    return rows;
  }

  /** One read, retried on rate limits and network errors. */
  private read(path: string, where: string, call: Call): Promise<unknown> {
    return withRetry(() => this.send(path, where, call), where, this.opts.retry, this.opts.logger);
  }

  /** One request, paced, then alone on the client; notes the limit headers of its reply. */
  private async send(path: string, where: string, call: Call): Promise<unknown> {
    // Waited before queueing: a spent path must not hold up the others.
    await this.pacer.wait(path);
    const run = async (): Promise<unknown> => {
      clearLastReply(this.client);
      try {
        const r = await call(this.client);
        this.pacer.note(path, lastHeaders(this.client));
        return r;
      } catch (e) {
        this.pacer.note(path, lastHeaders(this.client));
        const body = lastJson(this.client);
        const err = this.classify(e, body, where);
        if (err !== null && typeof err === 'object') replies.set(err, body);
        throw err;
      }
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Auth and clock refusals become final CtErrors without the reply text; other ccxt errors keep their class, redacted. */
  private classify(e: unknown, body: unknown, where: string): unknown {
    const code = retCodeOf(body);
    const rc = code === undefined ? '' : ` (retCode ${code})`;
    if (e instanceof ccxt.AuthenticationError) {
      return new CtError('CT_ERR_EXCHANGE_AUTH', `${where}: Bybit refused the API credentials${rc} (${e.constructor.name}): check the API key, its secret and its permissions (read, trade) and IP allow-list`, {
        details: { where, retCode: code },
      });
    }
    if (e instanceof ccxt.InvalidNonce) {
      return new CtError('CT_ERR_CLOCK_SKEW', `${where}: Bybit refused the signed timestamp${rc}: the local clock is off by more than recv_window (${String(this.client.options['recvWindow'])} ms); sync the system clock (NTP)`, {
        details: { where, retCode: code },
      });
    }
    if (e instanceof Error) e.message = this.redact(e.message);
    return e;
  }

  private redact(s: string): string {
    let out = s;
    for (const secret of [this.opts.secret, this.opts.apiKey]) if (secret.length > 0) out = out.split(secret).join('***');
    return out;
  }

  private async resolve(market: MarketType, symbol: string): Promise<ResolvedMarket> {
    const m = await withRetry(() => resolveMarket(this.client, symbol), `bybit markets for ${symbol}`, this.opts.retry, this.opts.logger);
    if (m.category !== marketCategory(market)) {
      throw new CtError('CT_ERR_SYMBOL_INVALID', `bybit symbol ${symbol} is a ${m.category} market, not ${market}`, { details: { symbol, market } });
    }
    this.symbolMaps ??= buildSymbolMaps(this.client);
    return m;
  }

  private async resolveAll(market: MarketType, symbols: readonly string[]): Promise<void> {
    if (symbols.length === 0) {
      await withRetry(() => loadMarkets(this.client), 'bybit markets', this.opts.retry, this.opts.logger);
      this.symbolMaps ??= buildSymbolMaps(this.client);
    }
    for (const s of symbols) await this.resolve(market, s);
  }
}

function buildSymbolMaps(client: BybitClient): Record<MarketType, Map<string, string>> {
  const maps = { spot: new Map<string, string>(), linear: new Map<string, string>() };
  for (const m of Object.values(client.markets ?? {})) {
    if (m === undefined) continue;
    if (m.spot) maps.spot.set(String(m.id), m.symbol);
    else if (m.linear && m.swap) maps.linear.set(String(m.id), m.symbol);
  }
  return maps;
}

/** The reply body that came with a refusal, kept with the error: the client's own field belongs to the next request by the time a caller looks. */
const replies = new WeakMap<object, unknown>();

function replyOf(e: unknown): unknown {
  return e !== null && typeof e === 'object' ? replies.get(e) : undefined;
}

function retCodeOf(body: unknown): number | undefined {
  const v = (body as Record<string, unknown> | null | undefined)?.['retCode'];
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

function retMsgOf(body: unknown): string {
  const v = (body as Record<string, unknown> | null | undefined)?.['retMsg'];
  return typeof v === 'string' ? v : '';
}

/** The daemon's signed Bybit REST; see the module comment. */
export function createPrivateApi(opts: PrivateApiOptions): BybitPrivateApi {
  return new BybitPrivateRest(opts);
}
