/**
 * Bybit v5 request signing as the fake verifies it (bybit-v5.md §1.9): HMAC-SHA256, lowercase hex,
 * over timestamp + apiKey + recvWindow + (raw query string for GET | raw body for POST). The raw
 * text is used exactly as received: Bybit does not re-sort or re-serialise, so neither does the fake.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function bybitSign(secret: string, timestamp: string, apiKey: string, recvWindow: string, payload: string): string {
  return createHmac('sha256', secret).update(timestamp + apiKey + recvWindow + payload).digest('hex');
}

export interface SignedHeaders {
  readonly apiKey: string | undefined;
  readonly timestamp: string | undefined;
  readonly recvWindow: string | undefined;
  readonly sign: string | undefined;
}

/** The outcome Bybit gives: 0 = authenticated, else its retCode and retMsg. */
export type AuthResult = { readonly ok: true; readonly apiKey: string } | { readonly ok: false; readonly retCode: number; readonly retMsg: string; readonly status: number };

const DEFAULT_RECV_WINDOW = 5000;

/**
 * Checks one request. `secretOf` answers the secret of a known key; `serverNow` is the time the
 * timestamp window is measured against (Bybit: server_time - recv_window <= ts < server_time + 1000).
 */
export function verifySigned(h: SignedHeaders, payload: string, secretOf: (apiKey: string) => string | undefined, serverNow: number): AuthResult {
  const missing = [h.apiKey === undefined || h.apiKey === '' ? 'apiKey' : '', h.timestamp === undefined || h.timestamp === '' ? 'apiTimestamp' : '', h.sign === undefined || h.sign === '' ? 'apiSignature' : ''].filter((s) => s !== '');
  if (missing.length > 0) {
    // Bybit's own wording for missing auth headers (bybit-v5.md §1.7).
    return { ok: false, retCode: 10001, retMsg: `empty value: ${missing.map((m) => `${m}[]`).join(' ')}: openapi sign params error!`, status: 200 };
  }
  const apiKey = h.apiKey!;
  const secret = secretOf(apiKey);
  if (secret === undefined) return { ok: false, retCode: 10003, retMsg: 'API key is invalid.', status: 401 };
  const ts = Number(h.timestamp);
  const recvWindow = h.recvWindow === undefined || h.recvWindow === '' ? DEFAULT_RECV_WINDOW : Number(h.recvWindow);
  if (!Number.isInteger(ts) || !Number.isFinite(recvWindow) || recvWindow <= 0) {
    return { ok: false, retCode: 10001, retMsg: 'params error: X-BAPI-TIMESTAMP and X-BAPI-RECV-WINDOW must be integers', status: 200 };
  }
  if (!(serverNow - recvWindow <= ts && ts < serverNow + 1000)) {
    return {
      ok: false, retCode: 10002, status: 200,
      retMsg: `invalid request, please check your server timestamp or recv_window param. req_timestamp[${ts}],server_timestamp[${serverNow}],recv_window[${recvWindow}]`,
    };
  }
  const expected = Buffer.from(bybitSign(secret, h.timestamp!, apiKey, h.recvWindow ?? '', payload));
  const got = Buffer.from(h.sign!.toLowerCase());
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) {
    return { ok: false, retCode: 10004, retMsg: 'error sign! origin_string[...]', status: 200 };
  }
  return { ok: true, apiKey };
}
