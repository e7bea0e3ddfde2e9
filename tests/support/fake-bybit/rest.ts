/**
 * REST side of the fake Bybit v5: `/v5/market/{kline,instruments-info,funding/history,time}` in
 * Bybit's exact envelope (retCode/retMsg/result/retExtInfo/time, strings inside result), plus the
 * error replies ccxt maps to its exception classes (bybit-v5.md §1.7). Faults are applied first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BYBIT_INTERVAL_MS, num, type FakeCategory, type FakeMarketData } from './market-data.ts';
import type { FaultQueue } from './faults.ts';
import { handlePrivate, isPrivatePath, type PrivateContext } from './private-rest.ts';
import { envelope, linearInstrument, spotInstrument } from './wire.ts';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** path + '?' + raw query, as received. */
  readonly url: string;
  /** The raw body of a POST (order requests carry no secret; auth headers are never recorded). */
  body?: string;
}

export interface RestContext extends PrivateContext {
  readonly data: FakeMarketData;
  readonly faults: FaultQueue;
  readonly now: () => number;
  /** Interval codes this fake serves; others get retCode 10001 (default: all of Bybit's). */
  readonly intervals: ReadonlySet<string>;
  readonly requests: RecordedRequest[];
  /** What /v5/market/time reports when a clock skew is set (wall clock + skew); undefined = the fake clock. */
  readonly serverTime?: () => number | undefined;
}

function paramError(res: ServerResponse, now: number, msg: string): void {
  envelope(res, now, {}, 10001, msg);
}

function optInt(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : Number.NaN;
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
  const record: RecordedRequest = { method: req.method ?? 'GET', path, query, url: rawUrl };
  ctx.requests.push(record);
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

  if (isPrivatePath(path)) {
    const q = rawUrl.indexOf('?');
    void handlePrivate(ctx, req, res, path, q < 0 ? '' : rawUrl.slice(q + 1), query, (body) => {
      record.body = body;
    }).catch(
      (e: unknown) => {
        if (!res.headersSent) envelope(res, now, {}, 10016, `fake-bybit internal error: ${(e as Error).message}`);
      },
    );
    return;
  }
  if (req.method !== 'GET') {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end('bad method');
    return;
  }
  switch (path) {
    case '/v5/market/time': {
      // The server's clock: the fake clock, or the wall clock shifted by a set skew (a server whose time is off ours).
      const t = ctx.serverTime?.() ?? now;
      envelope(res, t, { timeSecond: String(Math.floor(t / 1000)), timeNano: `${t}000000` });
      return;
    }
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
