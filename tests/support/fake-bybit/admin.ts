/**
 * The fake exchange's admin endpoint, under `/__admin/` on the same loopback port as REST and the
 * WebSocket: operators (curl) and tests that run the daemon as a separate process fault the fake
 * from outside with it, and read what it closed and pushed. Admin requests are never faulted and
 * never appear in the REST request log. Routes and curl examples: docs/exchange.md "Admin endpoint".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ORDER_FAULT_KINDS, REST_FAULT_KINDS, WS_FAULT_KINDS, type FaultKind, type FaultQueue } from './faults.ts';
import type { AccountSpec } from './accounts.ts';
import type { AccountView } from './account-view.ts';
import type { TopicCandles } from './ws-hub.ts';

export const ADMIN_PREFIX = '/__admin';

/** What the admin endpoint may drive: the fake server's own programmatic API. */
export interface AdminTarget {
  readonly faults: FaultQueue;
  now(): number;
  setNow(t: number): void;
  setClockSkew(ms: number | undefined): void;
  readonly clockSkewMs: number | undefined;
  advance(ms: number): void;
  readonly speed: number;
  startReplay(speed: number): void;
  stopReplay(): void;
  dropWsConnections(): number;
  topicCandles(): readonly TopicCandles[];
  readonly ws: { readonly connectionsAccepted: number; readonly openConnections: number };
  readonly requests: ReadonlyArray<{ readonly path: string }>;
  addAccount(spec: AccountSpec): unknown;
  account(apiKey: string): AccountView | undefined;
  accountKeys(): string[];
  setRateLimit(path: string, perSecond: number): void;
  rateLimitTable(): Record<string, { linear: number; spot: number }>;
  setBalance(apiKey: string, coin: string, amount: number): void;
  openForeignPosition(apiKey: string, spec: { category: string; symbol: string; side: string; qty: number }): void;
}

const ROUTES = [
  'GET    /__admin                 this list',
  'GET    /__admin/faults          queued faults and how many of each kind were applied',
  'POST   /__admin/faults          queue a fault: {"kind", "count"?: n | "forever", "where"?: "rest" | "ws", "path"?: "/v5/market/kline"}',
  'DELETE /__admin/faults          drop every queued fault',
  'POST   /__admin/drop            cut every WebSocket connection now',
  'GET    /__admin/candles         per topic: candles closed since first subscribed, and the ones pushed (?symbol=BTCUSDT&category=spot&interval=1)',
  'GET    /__admin/clock           the fake clock and its speed',
  'POST   /__admin/clock           {"now"?: ms | ISO date, "advance_ms"?: n, "speed"?: x (0 = frozen), "skew_ms"?: n | null (/v5/market/time = wall clock + n; null = the fake clock)}',
  'GET    /__admin/stats           connections and REST requests per path',
  'GET    /__admin/accounts        API keys and balances of the private API accounts',
  'POST   /__admin/accounts        open an account: {"apiKey", "secret", "balances"?: {"USDT": 10000}, "takerFee"?: 0.001, "readOnly"?: 0 | 1, "permissions"?: {"Wallet": ["Withdraw"], ...}}',
  'GET    /__admin/accounts/KEY    one account: balances, orders, executions, open positions',
  'POST   /__admin/accounts/KEY/positions  a foreign linear position at the served price: {"category": "linear", "symbol", "side": "Buy" | "Sell", "qty"}',
  'POST   /__admin/accounts/KEY/balances   set a coin balance: {"coin", "amount"}',
  'GET    /__admin/limits          per-second limits of the private paths (linear, spot)',
  'POST   /__admin/limits          set one path\'s limit per second: {"path": "/v5/order/create", "perSecond": 5}',
];

class AdminError extends Error {}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 1)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new AdminError(`body is not JSON: ${text.slice(0, 100)}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new AdminError('body must be a JSON object');
  return v as Record<string, unknown>;
}

function countOf(v: unknown): number {
  if (v === undefined) return 1;
  if (v === 'forever' || v === 'Infinity') return Infinity;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
  throw new AdminError(`count must be an integer >= 1 or "forever", not ${JSON.stringify(v)}`);
}

function timeOf(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  throw new AdminError(`now must be epoch ms or an ISO date, not ${JSON.stringify(v)}`);
}

function faultList(target: AdminTarget): unknown {
  return {
    queued: target.faults.pending().map((f) => ({ kind: f.kind, where: f.where, ...(f.path === undefined ? {} : { path: f.path }), remaining: Number.isFinite(f.remaining) ? f.remaining : 'forever' })),
    applied: { ...target.faults.applied },
  };
}

function clock(target: AdminTarget): unknown {
  return { now: target.now(), iso: new Date(target.now()).toISOString(), speed: target.speed, skew_ms: target.clockSkewMs ?? null };
}

/** True when the request was an admin request (and has been answered). */
export function handleAdmin(target: AdminTarget, req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== ADMIN_PREFIX && !url.pathname.startsWith(`${ADMIN_PREFIX}/`)) return false;
  void route(target, req, url).then(
    ([status, body]) => send(res, status, body),
    (e: unknown) => send(res, e instanceof AdminError ? 400 : 500, { error: (e as Error).message }),
  );
  return true;
}

async function route(target: AdminTarget, req: IncomingMessage, url: URL): Promise<[number, unknown]> {
  const path = url.pathname.replace(/\/+$/, '');
  const method = req.method ?? 'GET';
  const key = `${method} ${path}`;
  switch (key) {
    case `GET ${ADMIN_PREFIX}`:
      return [200, { routes: ROUTES, faults: { rest: REST_FAULT_KINDS, ws: WS_FAULT_KINDS, order: ORDER_FAULT_KINDS } }];
    case `GET ${ADMIN_PREFIX}/faults`:
      return [200, faultList(target)];
    case `POST ${ADMIN_PREFIX}/faults`: {
      const b = await readJson(req);
      if (typeof b['kind'] !== 'string') throw new AdminError('kind is required (see GET /__admin for the list)');
      if (b['path'] !== undefined && typeof b['path'] !== 'string') throw new AdminError('path must be a string such as /v5/market/kline');
      try {
        target.faults.next({
          kind: b['kind'] as FaultKind,
          count: countOf(b['count']),
          ...(b['where'] === undefined ? {} : { where: b['where'] as 'rest' | 'ws' }),
          ...(b['path'] === undefined ? {} : { path: b['path'] }),
        });
      } catch (e) {
        throw new AdminError((e as Error).message);
      }
      return [201, faultList(target)];
    }
    case `DELETE ${ADMIN_PREFIX}/faults`:
      target.faults.clear();
      return [200, faultList(target)];
    case `POST ${ADMIN_PREFIX}/drop`:
      return [200, { dropped: target.dropWsConnections() }];
    case `GET ${ADMIN_PREFIX}/candles`: {
      const q = url.searchParams;
      const topics = target.topicCandles().filter((t) =>
        (q.get('symbol') === null || t.symbol === q.get('symbol')) && (q.get('category') === null || t.category === q.get('category')) && (q.get('interval') === null || t.interval === q.get('interval')));
      return [200, { topics }];
    }
    case `GET ${ADMIN_PREFIX}/clock`:
      return [200, clock(target)];
    case `POST ${ADMIN_PREFIX}/clock`: {
      const b = await readJson(req);
      if (b['now'] !== undefined) target.setNow(timeOf(b['now']));
      if (b['advance_ms'] !== undefined) {
        if (typeof b['advance_ms'] !== 'number' || !(b['advance_ms'] >= 0)) throw new AdminError(`advance_ms must be a number >= 0, not ${JSON.stringify(b['advance_ms'])}`);
        target.advance(b['advance_ms']);
      }
      if (b['skew_ms'] !== undefined) {
        if (b['skew_ms'] !== null && (typeof b['skew_ms'] !== 'number' || !Number.isFinite(b['skew_ms']))) throw new AdminError(`skew_ms must be a number of ms or null, not ${JSON.stringify(b['skew_ms'])}`);
        target.setClockSkew(b['skew_ms'] === null ? undefined : b['skew_ms']);
      }
      if (b['speed'] !== undefined) {
        if (typeof b['speed'] !== 'number' || !(b['speed'] >= 0)) throw new AdminError(`speed must be a number >= 0, not ${JSON.stringify(b['speed'])}`);
        if (b['speed'] > 0) target.startReplay(b['speed']);
        else target.stopReplay();
      }
      return [200, clock(target)];
    }
    case `GET ${ADMIN_PREFIX}/stats`: {
      const perPath: Record<string, number> = {};
      for (const r of target.requests) perPath[r.path] = (perPath[r.path] ?? 0) + 1;
      return [200, { connectionsAccepted: target.ws.connectionsAccepted, openConnections: target.ws.openConnections, requests: perPath }];
    }
    case `GET ${ADMIN_PREFIX}/limits`:
      return [200, { limits: target.rateLimitTable() }];
    case `POST ${ADMIN_PREFIX}/limits`: {
      const b = await readJson(req);
      if (typeof b['path'] !== 'string' || typeof b['perSecond'] !== 'number') throw new AdminError('path (string) and perSecond (integer >= 1) are required');
      try {
        target.setRateLimit(b['path'], b['perSecond']);
      } catch (e) {
        throw new AdminError((e as Error).message);
      }
      return [201, { limits: target.rateLimitTable() }];
    }
    case `GET ${ADMIN_PREFIX}/accounts`:
      return [200, { accounts: target.accountKeys().map((k) => ({ apiKey: k, balances: target.account(k)!.balances })) }];
    case `POST ${ADMIN_PREFIX}/accounts`: {
      const b = await readJson(req);
      if (typeof b['apiKey'] !== 'string' || typeof b['secret'] !== 'string') throw new AdminError('apiKey and secret (strings) are required');
      const balances = b['balances'] ?? {};
      if (balances === null || typeof balances !== 'object' || Object.values(balances).some((v) => typeof v !== 'number' || !(v >= 0))) {
        throw new AdminError(`balances must be an object of coin -> number >= 0, not ${JSON.stringify(balances)}`);
      }
      if (b['takerFee'] !== undefined && (typeof b['takerFee'] !== 'number' || !(b['takerFee'] >= 0))) throw new AdminError(`takerFee must be a number >= 0, not ${JSON.stringify(b['takerFee'])}`);
      if (b['readOnly'] !== undefined && b['readOnly'] !== 0 && b['readOnly'] !== 1) throw new AdminError(`readOnly must be 0 or 1, not ${JSON.stringify(b['readOnly'])}`);
      const perms = b['permissions'];
      if (perms !== undefined && (perms === null || typeof perms !== 'object' || Array.isArray(perms) || Object.values(perms).some((v) => !Array.isArray(v) || v.some((x) => typeof x !== 'string')))) {
        throw new AdminError(`permissions must be an object of group -> array of strings, e.g. {"Wallet": ["Withdraw"]}, not ${JSON.stringify(perms)}`);
      }
      try {
        target.addAccount({
          apiKey: b['apiKey'], secret: b['secret'], balances: balances as Record<string, number>, ...(b['takerFee'] === undefined ? {} : { takerFee: b['takerFee'] }),
          ...(b['readOnly'] === undefined ? {} : { readOnly: b['readOnly'] }), ...(perms === undefined ? {} : { permissions: perms as Record<string, string[]> }),
        });
      } catch (e) {
        throw new AdminError((e as Error).message);
      }
      return [201, target.account(b['apiKey'])];
    }
    default: {
      const sub = method === 'POST' ? path.match(/^\/__admin\/accounts\/([^/]+)\/(positions|balances)$/) : null;
      if (sub !== null) {
        const apiKey = decodeURIComponent(sub[1]!);
        if (target.account(apiKey) === undefined) return [404, { error: `no account ${apiKey}` }];
        const b = await readJson(req);
        try {
          if (sub[2] === 'positions') target.openForeignPosition(apiKey, { category: String(b['category'] ?? 'linear'), symbol: String(b['symbol'] ?? ''), side: String(b['side'] ?? ''), qty: Number(b['qty']) });
          else {
            if (typeof b['coin'] !== 'string' || typeof b['amount'] !== 'number') throw new Error('coin (string) and amount (number >= 0) are required');
            target.setBalance(apiKey, b['coin'], b['amount']);
          }
        } catch (e) {
          throw new AdminError((e as Error).message);
        }
        return [201, target.account(apiKey)];
      }
      const m = method === 'GET' ? path.match(/^\/__admin\/accounts\/([^/]+)$/) : null;
      if (m !== null) {
        const view = target.account(decodeURIComponent(m[1]!));
        return view === undefined ? [404, { error: `no account ${decodeURIComponent(m[1]!)}` }] : [200, view];
      }
      return [404, { error: `no admin route ${key}`, routes: ROUTES }];
    }
  }
}
