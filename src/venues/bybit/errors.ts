/**
 * Maps ccxt exceptions to our error policy by CLASS (instanceof), never by message text
 * (messages change between ccxt versions; classes do not). Retryable: throttling and transport failures. Everything else is final.
 */
import ccxt from 'ccxt';
import { CtError, type ErrorCode } from '../../core/errors.ts';

export type Retryability = 'rate_limit' | 'unavailable' | 'final';

/** Whether a ccxt error is worth retrying, and as what. */
export function retryabilityOf(e: unknown): Retryability {
  // RateLimitExceeded and DDoSProtection (Bybit 10006, HTTP 403/429) are NetworkError subclasses: test first.
  if (e instanceof ccxt.RateLimitExceeded || e instanceof ccxt.DDoSProtection) return 'rate_limit';
  // InvalidNonce is a NetworkError too, but retrying with the same clock would fail the same way.
  if (e instanceof ccxt.InvalidNonce) return 'final';
  if (e instanceof ccxt.NetworkError) return 'unavailable';
  return 'final';
}

/**
 * Turns any error from a ccxt call into a CtError naming `where` (symbol, interval, call).
 * CtErrors pass through unchanged.
 */
export function toCtError(e: unknown, where: string): CtError {
  if (e instanceof CtError) return e;
  let code: ErrorCode;
  if (e instanceof ccxt.BadSymbol) code = 'CT_ERR_SYMBOL_INVALID';
  else if (e instanceof ccxt.AuthenticationError) code = 'CT_ERR_EXCHANGE_AUTH';
  else if (e instanceof ccxt.RateLimitExceeded || e instanceof ccxt.DDoSProtection) code = 'CT_ERR_EXCHANGE_RATE_LIMIT';
  else if (e instanceof ccxt.NetworkError) code = 'CT_ERR_EXCHANGE_UNAVAILABLE';
  else if (e instanceof ccxt.BadResponse) code = 'CT_ERR_EXCHANGE_REPLY_INVALID';
  else if (e instanceof ccxt.ExchangeError) code = 'CT_ERR_EXCHANGE_REJECTED';
  else code = 'CT_ERR_INTERNAL';
  const name = e instanceof Error ? e.constructor.name : typeof e;
  const text = e instanceof Error ? e.message : String(e);
  return new CtError(code, `${where}: ${name}: ${oneLine(text)}`, { cause: e, details: { where, ccxtError: name } });
}

/** ccxt messages embed the whole reply body; keep an operator's line short and single. */
function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}
