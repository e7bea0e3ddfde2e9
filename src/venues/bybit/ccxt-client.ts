/**
 * Builds ccxt's Bybit REST client from config-like options (`exchange.rest_url`, `exchange.ws_url`).
 * Public market data only: no API keys are passed, so nothing secret can reach a log.
 *
 * Why each setting (bybit-v5.md §3.1–3.2): ccxt only reads `urls.api.public/private` to build REST
 * URLs, so pointing both at `restUrl` is enough to reach a fake on 127.0.0.1; `fetchCurrencies`
 * would need keys and an extra private route; limiting fetchMarkets to spot+linear cuts 11 startup
 * calls to 3.
 */
import ccxt from 'ccxt';
import type { MarketType } from '../../domain/instrument.ts';

export const DEFAULT_BYBIT_REST_URL = 'https://api.bybit.com';
export const DEFAULT_BYBIT_WS_URL = 'wss://stream.bybit.com';

export interface BybitClientOptions {
  /** REST base, e.g. https://api.bybit.com or http://127.0.0.1:PORT (no trailing path). */
  readonly restUrl?: string;
  /** WS base, e.g. wss://stream.bybit.com; `/v5/public/{spot|linear}` is appended. */
  readonly wsUrl?: string;
  /** Default market type for calls that need one. */
  readonly market?: MarketType;
  /** ccxt's own request throttle (default true: ~10 market requests/s, within Bybit's limits). */
  readonly enableRateLimit?: boolean;
  /** ccxt's minimum ms between request "cost units" (default ccxt's 20 ms). */
  readonly rateLimitMs?: number;
  /** Per-request timeout (default 10 000 ms). */
  readonly timeoutMs?: number;
}

export type BybitClient = InstanceType<typeof ccxt.bybit>;

function trimSlash(u: string): string {
  return u.endsWith('/') ? u.slice(0, -1) : u;
}

export function createBybitClient(opts: BybitClientOptions = {}): BybitClient {
  const rest = trimSlash(opts.restUrl ?? DEFAULT_BYBIT_REST_URL);
  const ws = trimSlash(opts.wsUrl ?? DEFAULT_BYBIT_WS_URL);
  const config: Record<string, unknown> = {
    enableRateLimit: opts.enableRateLimit ?? true,
    timeout: opts.timeoutMs ?? 10_000,
    urls: {
      api: {
        public: rest,
        private: rest,
        ws: { public: { spot: `${ws}/v5/public/spot`, linear: `${ws}/v5/public/linear`, inverse: `${ws}/v5/public/inverse`, option: `${ws}/v5/public/option` } },
      },
    },
    has: { fetchCurrencies: false },
    options: {
      defaultType: opts.market === 'linear' ? 'swap' : 'spot',
      fetchMarkets: { types: ['spot', 'linear'] },
    },
  };
  if (opts.rateLimitMs !== undefined) config['rateLimit'] = opts.rateLimitMs;
  return new ccxt.bybit(config);
}
