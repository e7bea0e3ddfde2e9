/**
 * What the daemon sends to `POST /v5/order/create`, and the order rules it reads from ccxt's
 * markets (which ccxt loaded from `/v5/market/instruments-info`).
 *
 * Order bodies (Bybit v5 field names):
 * - spot Market: `marketUnit: "baseCoin"`, so `qty` is in the base coin for a buy too (Bybit's
 *   default for a spot market BUY is quoteCoin: the qty would be read as USDT).
 * - linear Market: `reduceOnly: true` for exits.
 * - conditional (`trigger`): `triggerPrice`, `triggerDirection` (1 rises to, 2 falls to), still a
 *   Market order; spot needs `orderFilter: "StopOrder"` to be conditional at all; linear exits are
 *   `reduceOnly` + `closeOnTrigger` (so a triggered stop can always close, margin or not), on the
 *   last price.
 * Numbers go as decimal strings at the instrument's own step, so float noise (0.30000000000000004)
 * never reaches the exchange.
 */
import { CtError } from '../../core/errors.ts';
import type { MarketType } from '../../domain/instrument.ts';
import type { BybitClient } from './ccxt-client.ts';
import type { ResolvedMarket } from './rest-klines.ts';
import { decimalsOf } from '../../domain/lot-step.ts';
import type { InstrumentRules, PlaceOrderRequest } from './private-types.ts';

type CcxtMarket = ReturnType<BybitClient['market']>;

export function marketCategory(market: MarketType): 'spot' | 'linear' {
  return market === 'spot' ? 'spot' : 'linear';
}

/** `v` as a decimal string at `step`'s number of decimals, trailing zeros dropped. */
export function stepString(v: number, step: number): string {
  const fixed = v.toFixed(Math.min(20, decimalsOf(step)));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

function positive(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function bad(symbol: string, field: string, value: unknown): CtError {
  return new CtError('CT_ERR_EXCHANGE_REPLY_INVALID', `bybit instruments-info ${symbol}: ${field} is ${JSON.stringify(value) ?? String(value)}, expected a finite number > 0`, {
    details: { symbol, field },
  });
}

/** The instrument's rules; minNotional falls back to Bybit's own minNotionalValue / minOrderAmt when ccxt has no cost limit. */
export function instrumentRules(m: CcxtMarket, symbol: string): InstrumentRules {
  const lot = ((m.info as Record<string, unknown> | undefined)?.['lotSizeFilter'] ?? {}) as Record<string, unknown>;
  const minQty = positive(m.limits?.amount?.min);
  const qtyStep = positive(m.precision?.amount);
  const tickSize = positive(m.precision?.price);
  if (minQty === undefined) throw bad(symbol, 'limits.amount.min (minOrderQty)', m.limits?.amount?.min);
  if (qtyStep === undefined) throw bad(symbol, 'precision.amount (qtyStep / basePrecision)', m.precision?.amount);
  if (tickSize === undefined) throw bad(symbol, 'precision.price (tickSize)', m.precision?.price);
  const notional = m.limits?.cost?.min ?? lot['minNotionalValue'] ?? lot['minOrderAmt'] ?? 0;
  const minNotional = typeof notional === 'string' ? Number(notional) : notional;
  if (typeof minNotional !== 'number' || !Number.isFinite(minNotional) || minNotional < 0) {
    throw new CtError('CT_ERR_EXCHANGE_REPLY_INVALID', `bybit instruments-info ${symbol}: minNotional is ${JSON.stringify(notional)}, expected a finite number >= 0`, { details: { symbol, field: 'minNotional' } });
  }
  return { symbol, id: String(m.id), base: m.base, quote: m.quote, minQty, qtyStep, minNotional, tickSize };
}

/** The order/create body of one request. */
export function placeBody(req: PlaceOrderRequest, m: ResolvedMarket, market: CcxtMarket): Record<string, unknown> {
  const rules = instrumentRules(market, req.symbol);
  const body: Record<string, unknown> = {
    category: m.category, symbol: m.id, side: req.side, orderType: 'Market', qty: stepString(req.qty, rules.qtyStep), orderLinkId: req.orderLinkId,
  };
  if (m.category === 'spot') body['marketUnit'] = 'baseCoin';
  else if (req.reduceOnly) body['reduceOnly'] = true;
  if (req.trigger !== undefined) {
    body['triggerPrice'] = stepString(req.trigger.price, rules.tickSize);
    body['triggerDirection'] = req.trigger.direction;
    if (m.category === 'spot') {
      body['orderFilter'] = 'StopOrder';
    } else {
      body['triggerBy'] = 'LastPrice';
      body['reduceOnly'] = true;
      body['closeOnTrigger'] = true;
    }
  }
  return body;
}
