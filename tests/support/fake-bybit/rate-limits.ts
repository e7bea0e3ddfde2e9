/**
 * Bybit's per-UID API rate limits as the fake enforces and reports them (docs v5/rate-limit: "per
 * second per UID", headers `X-Bapi-Limit` = the endpoint's limit, `X-Bapi-Limit-Status` = requests
 * left, `X-Bapi-Limit-Reset-Timestamp` = when the limit resets if exceeded, else the current time).
 * Counted per API key, path and (for the order-entry paths, whose limits differ by category) business
 * line, in fixed 1-second windows opened by the first request, on the clock requests are signed with.
 * A refused request is not counted. Defaults are Bybit's UTA 2.0 Pro table; a server or a test lowers
 * one path with `startFakeBybit({ rateLimits })` or `POST /__admin/limits`.
 */

/** Bybit's table (UTA 2.0 Pro) for the paths the fake serves: [linear, spot] per second. */
const BYBIT_LIMITS: Readonly<Record<string, readonly [number, number]>> = {
  '/v5/order/create': [10, 20],
  '/v5/order/amend': [10, 10],
  '/v5/order/cancel': [10, 20],
  '/v5/order/cancel-all': [10, 20],
  '/v5/order/realtime': [50, 50],
  '/v5/order/history': [50, 50],
  '/v5/execution/list': [50, 50],
  '/v5/position/list': [50, 50],
  '/v5/position/trading-stop': [10, 10],
  '/v5/account/wallet-balance': [50, 50],
  '/v5/account/info': [50, 50],
  '/v5/asset/coin/query-info': [5, 5],
  '/v5/user/query-api': [10, 10],
};
/** Paths outside the table (they answer 10017 anyway): not in Bybit's table, a generous 50/s. */
const OTHER_LIMIT = 50;
/** Order-entry paths whose counter is kept per business line (spot vs derivatives), as Bybit's table splits them. */
const PER_CATEGORY = new Set(['/v5/order/create', '/v5/order/amend', '/v5/order/cancel', '/v5/order/cancel-all']);

export interface LimitVerdict {
  readonly ok: boolean;
  readonly limit: number;
  readonly remaining: number;
  readonly resetTimestamp: number;
}

export class RateLimits {
  private readonly overrides = new Map<string, number>();
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(overrides: Readonly<Record<string, number>> = {}) {
    for (const [path, n] of Object.entries(overrides)) this.set(path, n);
  }

  /** Sets one path's limit per second for every category (an integer >= 1). */
  set(path: string, perSecond: number): void {
    if (!path.startsWith('/v5/')) throw new Error(`fake-bybit: rate limit path must start with /v5/, not ${JSON.stringify(path)}`);
    if (!Number.isInteger(perSecond) || perSecond < 1) throw new Error(`fake-bybit: perSecond must be an integer >= 1, not ${JSON.stringify(perSecond)}`);
    this.overrides.set(path, perSecond);
    for (const k of [...this.windows.keys()]) if (k.split(' ')[1] === path) this.windows.delete(k);
  }

  /** The limit per second of `path` for `category` (spot or anything else). */
  limitOf(path: string, category: string | undefined): number {
    const o = this.overrides.get(path);
    if (o !== undefined) return o;
    const row = BYBIT_LIMITS[path];
    return row === undefined ? OTHER_LIMIT : row[category === 'spot' ? 1 : 0];
  }

  /** The table in force: Bybit's defaults with the overrides applied. */
  table(): Record<string, { linear: number; spot: number }> {
    const out: Record<string, { linear: number; spot: number }> = {};
    for (const p of new Set([...Object.keys(BYBIT_LIMITS), ...this.overrides.keys()])) out[p] = { linear: this.limitOf(p, 'linear'), spot: this.limitOf(p, 'spot') };
    return out;
  }

  /** Counts one request of `apiKey` to `path` at `now` (ms), or refuses it when the window is used up. */
  take(apiKey: string, path: string, category: string | undefined, now: number): LimitVerdict {
    const limit = this.limitOf(path, category);
    const line = PER_CATEGORY.has(path) ? (category === 'spot' ? 'spot' : 'derivatives') : 'all';
    const key = `${apiKey} ${path} ${line}`;
    let w = this.windows.get(key);
    if (w === undefined || now >= w.start + 1000 || now < w.start) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= limit) return { ok: false, limit, remaining: 0, resetTimestamp: w.start + 1000 };
    w.count += 1;
    return { ok: true, limit, remaining: limit - w.count, resetTimestamp: now };
  }
}
