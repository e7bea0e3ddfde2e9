import type { Timeframe } from '../core/timeframe.ts';
import { CtError } from '../core/errors.ts';

export type MarketType = 'spot' | 'linear';

/** What is traded where: ccxt unified symbol (BTC/USDT spot, BTC/USDT:USDT linear perpetual). */
export interface Instrument {
  readonly exchange: string;
  readonly market: MarketType;
  readonly symbol: string;
}

/** A candle series key: instrument plus timeframe. */
export interface SeriesKey extends Instrument {
  readonly timeframe: Timeframe;
}

const SPOT_RE = /^[A-Z0-9]{2,15}\/[A-Z0-9]{2,10}$/;
const LINEAR_RE = /^[A-Z0-9]{2,15}\/[A-Z0-9]{2,10}:[A-Z0-9]{2,10}$/;

/** Validates a ccxt unified symbol for a market type and returns it unchanged. */
export function parseSymbol(symbol: string, market: MarketType, where = 'symbol'): string {
  const ok = market === 'spot' ? SPOT_RE.test(symbol) : LINEAR_RE.test(symbol);
  if (!ok) {
    const example = market === 'spot' ? 'BTC/USDT' : 'BTC/USDT:USDT';
    throw new CtError('CT_ERR_SYMBOL_INVALID', `${where}: "${symbol}" is not a ccxt unified ${market} symbol (e.g. ${example})`, {
      details: { where, value: symbol, market },
    });
  }
  return symbol;
}

/** Exchange market id (BTCUSDT) for a unified symbol. */
export function marketId(symbol: string): string {
  return symbol.split(':')[0]!.replace('/', '');
}

/** File-system-safe name for a symbol: BTC/USDT -> BTC_USDT, BTC/USDT:USDT -> BTC_USDT_USDT. */
export function symbolSlug(symbol: string): string {
  return symbol.replace(/[/:]/g, '_');
}
