/**
 * ccxt's Bybit client WITH API keys, for the signed REST of the execution adapter. It is the public
 * client of ccxt-client.ts (same URL wiring, so a fake on 127.0.0.1 is reached the same way; no
 * `fetchCurrencies`, whose signed coin/query-info the daemon does not need) with the keys set on it.
 *
 * Why these settings:
 * - `enableLastJsonResponse` / `enableLastResponseHeaders`: ccxt keeps the parsed body and the
 *   headers of the newest reply on the client, also when it then throws for a retCode. That is how
 *   a refusal's own retCode and the `X-Bapi-Limit-*` headers are read without parsing message text.
 *   They are only trustworthy while one request is in flight, so private-api.ts sends one at a time.
 * - `recvWindow`: the window Bybit accepts a signed timestamp in (default 5000 ms, Bybit's own).
 * - `options.timeDifference` (ours minus the exchange's clock, set by `checkClock`) is what ccxt
 *   subtracts from Date.now() when it signs (`nonce()`), so a small skew is corrected there.
 * The key and secret live only on this object; nothing here logs or returns them.
 */
import { createBybitClient, type BybitClient } from './ccxt-client.ts';

export interface PrivateClientOptions {
  readonly restUrl: string;
  readonly apiKey: string;
  readonly secret: string;
  readonly timeoutMs: number;
  /** Bybit's X-BAPI-RECV-WINDOW (default 5000). */
  readonly recvWindowMs?: number;
}

export function createPrivateClient(opts: PrivateClientOptions): BybitClient {
  const client = createBybitClient({ restUrl: opts.restUrl, timeoutMs: opts.timeoutMs });
  client.apiKey = opts.apiKey;
  client.secret = opts.secret;
  client.enableLastJsonResponse = true;
  client.enableLastResponseHeaders = true;
  client.options['recvWindow'] = opts.recvWindowMs ?? 5000;
  client.options['timeDifference'] = 0;
  return client;
}

/** Forgets the previous reply, so a request that gets no answer cannot be judged by the one before it. */
export function clearLastReply(client: BybitClient): void {
  client.last_json_response = undefined;
  client.last_response_headers = undefined;
}

/** The parsed body of the newest reply (undefined when none came or it was not JSON). */
export function lastJson(client: BybitClient): unknown {
  return client.last_json_response;
}

/** The headers of the newest reply (ccxt capitalises them: `X-Bapi-Limit-Status`). */
export function lastHeaders(client: BybitClient): Readonly<Record<string, string>> | undefined {
  return client.last_response_headers as Record<string, string> | undefined;
}
