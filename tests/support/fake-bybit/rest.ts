/**
 * REST side of the fake Bybit v5: `/v5/market/{kline,instruments-info,funding/history,time}` in
 * Bybit's exact envelope (retCode/retMsg/result/retExtInfo/time, strings inside result), plus the
 * error replies ccxt maps to its exception classes (bybit-v5.md §1.7). Faults are applied first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BYBIT_INTERVAL_MS, num, type FakeCategory, type FakeMarketData } from './market-data.ts';
import type { FaultQueue } from './faults.ts';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** path + '?' + raw query, as received. */
  readonly url: string;
}

export interface RestContext {
  readonly data: FakeMarketData;
  readonly faults: FaultQueue;
  readonly now: () => number;
  /** Interval codes this fake serves; others get retCode 10001 (default: all of Bybit's). */
  readonly intervals: ReadonlySet<string>;
  readonly requests: RecordedRequest[];
}

const QUOTES = ['USDT', 'USDC', 'BTC', 'ETH', 'EUR'];

function splitSymbol(id: string): { base: string; quote: string } {
  const quote = QUOTES.find((q) => id.endsWith(q) && id.length > q.length) ?? 'USDT';
  return { base: id.slice(0, id.length - quote.length), quote };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function envelope(res: ServerResponse, now: number, result: unknown, retCode = 0, retMsg = 'OK', status = 200): void {
  sendJson(res, status, { retCode, retMsg, result, retExtInfo: {}, time: now });
}

function paramError(res: ServerResponse, now: number, msg: string): void {
  envelope(res, now, {}, 10001, msg);
}

function optInt(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : Number.NaN;
}

function spotInstrument(id: string): Record<string, unknown> {
  const { base, quote } = splitSymbol(id);
  return {
    symbol: id, baseCoin: base, quoteCoin: quote, innovation: '0', status: 'Trading', marginTrading: 'utaOnly',
    lotSizeFilter: { basePrecision: '0.000001', quotePrecision: '0.0000001', minOrderQty: '0.000011', maxOrderQty: '83', minOrderAmt: '5', maxOrderAmt: '8000000' },
    priceFilter: { tickSize: '0.01' },
  };
}

function linearInstrument(id: string): Record<string, unknown> {
  const { base, quote } = splitSymbol(id);
  return {
    symbol: id, contractType: 'LinearPerpetual', status: 'Trading', baseCoin: base, quoteCoin: quote,
    launchTime: '1585526400000', deliveryTime: '0', deliveryFeeRate: '', priceScale: '2',
    leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' },
    priceFilter: { minPrice: '0.10', maxPrice: '1999999.80', tickSize: '0.10' },
    lotSizeFilter: { maxOrderQty: '1190.000', minOrderQty: '0.001', qtyStep: '0.001', postOnlyMaxOrderQty: '1190.000', maxMktOrderQty: '500.000', minNotionalValue: '5' },
    unifiedMarginTrade: true, fundingInterval: 480, settleCoin: quote,
  };
}

function handleInstruments(ctx: RestContext, q: Record<string, string>, res: ServerResponse, now: number): void {
  const category = q['category'];
  if (category === undefined || !['spot', 'linear', 'inverse', 'option'].includes(category)) {
    paramError(res, now, 'params error: category is invalid');
    return;
  }
  let list: Record<string, unknown>[] = [];
  // Pre-market listings and options/inverse are not simulated: empty lists, as Bybit gives for an empty set.
  if ((category === 'spot' || category === 'linear') && (q['status'] === undefined || q['status'] === 'Trading')) {
    const ids = ctx.data.listSymbols(category).filter((s) => q['symbol'] === undefined || s === q['symbol']);
    list = ids.map(category === 'spot' ? spotInstrument : linearInstrument);
  }
  envelope(res, now, { category, list, nextPageCursor: '' });
}

function handleKline(ctx: RestContext, q: Record<string, string>, res: ServerResponse, now: number): void {
  const category = q['category'] ?? 'linear';
  if (!['spot', 'linear', 'inverse'].includes(category)) {
    paramError(res, now, 'params error: category is invalid');
    return;
  }
  const symbol = q['symbol'];
  if (symbol === undefined || symbol === '') {
    paramError(res, now, 'params error: symbol is required');
    return;
  }
  const interval = q['interval'] ?? '';
  const intervalMs = BYBIT_INTERVAL_MS[interval];
  if (intervalMs === undefined || !ctx.intervals.has(interval)) {
    paramError(res, now, `params error: interval "${interval}" is invalid`);
    return;
  }
  if (!ctx.data.hasSymbol(category, symbol)) {
    paramError(res, now, 'Not supported symbols');
    return;
  }
  const limitRaw = optInt(q['limit']);
  const start = optInt(q['start']);
  const end = optInt(q['end']);
  if (Number.isNaN(limitRaw) || Number.isNaN(start) || Number.isNaN(end)) {
    paramError(res, now, 'params error: start/end/limit must be integers');
    return;
  }
  // Bybit documents [1, 1000]; whether it clamps or rejects above is unverified, the fake clamps.
  const limit = Math.min(1000, Math.max(1, limitRaw ?? 200));
  const cols = intervalMs > 0 ? ctx.data.series(category as FakeCategory, symbol, intervalMs) : undefined;
  const list: string[][] = [];
  if (cols !== undefined) {
    const [lo, hi] = ctx.data.klineWindow(cols, intervalMs, now, limit, start, end);
    for (let i = hi - 1; i >= lo; i--) {
      const vol = cols.volume[i]!;
      const turnover = vol * cols.close[i]!;
      list.push([num(cols.ts[i]!), num(cols.open[i]!), num(cols.high[i]!), num(cols.low[i]!), num(cols.close[i]!), num(vol), num(turnover)]);
    }
  }
  envelope(res, now, { symbol, category, list });
}

function handleFunding(ctx: RestContext, q: Record<string, string>, res: ServerResponse, now: number): void {
  const category = q['category'];
  if (category !== 'linear' && category !== 'inverse') {
    paramError(res, now, 'params error: category is invalid');
    return;
  }
  const symbol = q['symbol'];
  if (symbol === undefined || symbol === '') {
    paramError(res, now, 'params error: symbol is required');
    return;
  }
  const startTime = optInt(q['startTime']);
  const endTime = optInt(q['endTime']);
  if (startTime !== undefined && endTime === undefined) {
    // Bybit: "Passing only startTime returns an error."
    paramError(res, now, 'params error: endTime is required when startTime is given');
    return;
  }
  const limitRaw = optInt(q['limit']);
  if (Number.isNaN(limitRaw) || Number.isNaN(startTime) || Number.isNaN(endTime)) {
    paramError(res, now, 'params error: startTime/endTime/limit must be integers');
    return;
  }
  if (!ctx.data.hasSymbol('linear', symbol)) {
    paramError(res, now, 'Not supported symbols');
    return;
  }
  const limit = Math.min(200, Math.max(1, limitRaw ?? 200));
  const win = ctx.data.fundingWindow(symbol, now, limit, startTime, endTime);
  const list: Record<string, string>[] = [];
  if (win !== undefined) {
    for (let i = win.hi - 1; i >= win.lo; i--) {
      list.push({ symbol, fundingRate: num(win.series.rate[i]!), fundingRateTimestamp: num(win.series.ts[i]!) });
    }
  }
  envelope(res, now, { category, list });
}

/** Handles one HTTP request; returns after the reply is sent (or the socket destroyed). */
export function handleRest(ctx: RestContext, req: IncomingMessage, res: ServerResponse): void {
  const rawUrl = req.url ?? '/';
  const parsed = new URL(rawUrl, 'http://127.0.0.1');
  const path = parsed.pathname;
  const query: Record<string, string> = {};
  for (const [k, v] of parsed.searchParams) query[k] = v;
  ctx.requests.push({ method: req.method ?? 'GET', path, query, url: rawUrl });
  const now = ctx.now();

  const fault = ctx.faults.takeRest(path);
  if (fault === 'drop_connection') {
    req.socket.destroy();
    return;
  }
  if (fault === 'rate_limit') {
    res.setHeader('X-Bapi-Limit', '10');
    res.setHeader('X-Bapi-Limit-Status', '0');
    res.setHeader('X-Bapi-Limit-Reset-Timestamp', String(now + 1000));
    envelope(res, now, {}, 10006, 'Too many visits!');
    return;
  }
  if (fault === 'http_403') {
    res.writeHead(403, { 'Content-Type': 'text/plain' });
    res.end('access too frequent');
    return;
  }
  if (fault === 'http_5xx') {
    res.writeHead(502, { 'Content-Type': 'text/html' });
    res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    return;
  }

  if (req.method !== 'GET') {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end('bad method');
    return;
  }
  switch (path) {
    case '/v5/market/time':
      envelope(res, now, { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` });
      return;
    case '/v5/market/instruments-info':
      handleInstruments(ctx, query, res, now);
      return;
    case '/v5/market/kline':
      handleKline(ctx, query, res, now);
      return;
    case '/v5/market/funding/history':
      handleFunding(ctx, query, res, now);
      return;
    default:
      envelope(res, now, {}, 10017, 'route not found', 404);
  }
}
