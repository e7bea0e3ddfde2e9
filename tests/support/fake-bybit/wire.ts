/**
 * Shared wire pieces of the fake's REST API: Bybit's envelope and the instrument objects of
 * instruments-info (whose lot-size filters the matching engine also enforces).
 */
import type { ServerResponse } from 'node:http';

const QUOTES = ['USDT', 'USDC', 'BTC', 'ETH', 'EUR'];

export function splitSymbol(id: string): { base: string; quote: string } {
  const quote = QUOTES.find((q) => id.endsWith(q) && id.length > q.length) ?? 'USDT';
  return { base: id.slice(0, id.length - quote.length), quote };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function envelope(res: ServerResponse, now: number, result: unknown, retCode = 0, retMsg = 'OK', status = 200): void {
  sendJson(res, status, { retCode, retMsg, result, retExtInfo: {}, time: now });
}

export function spotInstrument(id: string): Record<string, unknown> {
  const { base, quote } = splitSymbol(id);
  return {
    symbol: id, baseCoin: base, quoteCoin: quote, innovation: '0', status: 'Trading', marginTrading: 'utaOnly',
    lotSizeFilter: { basePrecision: '0.000001', quotePrecision: '0.0000001', minOrderQty: '0.000011', maxOrderQty: '83', minOrderAmt: '5', maxOrderAmt: '8000000' },
    priceFilter: { tickSize: '0.01' },
  };
}

export function linearInstrument(id: string): Record<string, unknown> {
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

