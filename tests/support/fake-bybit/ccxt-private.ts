/**
 * A ccxt Bybit client with API keys, pointed at a fake server on 127.0.0.1 (bybit-v5.md §3.1): the
 * same URL wiring as src/venues/bybit/ccxt-client.ts, plus apiKey/secret, for tests of the fake's
 * private API. Options that skip account probes are left at ccxt's defaults on purpose, so the
 * requests ccxt really makes (coin/query-info, user/query-api, account/info) reach the fake.
 */
import ccxt from 'ccxt';

export type PrivateBybitClient = InstanceType<typeof ccxt.bybit>;

export function privateBybitClient(restUrl: string, apiKey: string, secret: string, extra: Record<string, unknown> = {}): PrivateBybitClient {
  return new ccxt.bybit({
    apiKey,
    secret,
    enableRateLimit: false,
    timeout: 5_000,
    urls: { api: { public: restUrl, private: restUrl } },
    options: { fetchMarkets: { types: ['spot', 'linear'] }, ...extra },
  });
}
