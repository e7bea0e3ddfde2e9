/**
 * Shape checks of the signed REST replies and private-stream items, turned into the records of
 * private-types.ts. Bybit sends every number as a decimal string (times as digit strings); a field
 * that is missing or not what Bybit documents throws CT_ERR_EXCHANGE_REPLY_INVALID naming `where`,
 * the field and the value, so nothing above the seam ever sees exchange text.
 *
 * Symbols: replies carry Bybit ids (BTCUSDT); `SymbolOf` maps one back to the unified symbol of
 * that category (from ccxt's loaded markets).
 */
import { CtError } from '../../core/errors.ts';
import type { MarketType } from '../../domain/instrument.ts';
import type { AccountInfo, BybitSide, ExchangeExecution, ExchangeOrder, ExchangeOrderStatus, ExchangePosition, WalletCoin } from './private-types.ts';

export type SymbolOf = (market: MarketType, id: string) => string | undefined;
type Obj = Record<string, unknown>;

const STATUSES: ReadonlySet<string> = new Set<ExchangeOrderStatus>([
  'New', 'PartiallyFilled', 'Filled', 'Cancelled', 'PartiallyFilledCanceled', 'Rejected', 'Untriggered', 'Triggered', 'Deactivated',
]);

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}

export function replyInvalid(where: string, field: string, value: unknown, want: string): CtError {
  return new CtError('CT_ERR_EXCHANGE_REPLY_INVALID', `${where}: ${field} is ${show(value)}, expected ${want}`, { details: { where, field } });
}

export function asObject(v: unknown, where: string, field: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw replyInvalid(where, field, v, 'an object');
  return v as Obj;
}

export function asArray(v: unknown, where: string, field: string): unknown[] {
  if (!Array.isArray(v)) throw replyInvalid(where, field, v, 'an array');
  return v;
}

const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** A decimal string (numbers are accepted too: ccxt leaves JSON numbers as numbers). `emptyAs` allows ''. */
export function decimal(o: Obj, key: string, where: string, emptyAs?: number): number {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(v);
  if (emptyAs !== undefined && (v === '' || v === undefined)) return emptyAs;
  throw replyInvalid(where, key, v, 'a decimal string');
}

function text(o: Obj, key: string, where: string, optional = false): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  if (optional && v === undefined) return '';
  throw replyInvalid(where, key, v, 'a string');
}

function ms(o: Obj, key: string, where: string): number {
  const n = decimal(o, key, where);
  if (!Number.isInteger(n) || n < 0) throw replyInvalid(where, key, o[key], 'a time in ms');
  return n;
}

function side(o: Obj, where: string): BybitSide {
  const v = o['side'];
  if (v !== 'Buy' && v !== 'Sell') throw replyInvalid(where, 'side', v, 'Buy or Sell');
  return v;
}

function symbolOf(o: Obj, market: MarketType, symbols: SymbolOf, where: string): string {
  const id = text(o, 'symbol', where);
  const s = symbols(market, id);
  if (s === undefined) throw replyInvalid(where, 'symbol', id, `a ${market} symbol the exchange lists`);
  return s;
}

/** `result.list` and `result.nextPageCursor` of a paged reply. */
export function listPage(body: unknown, where: string): { list: unknown[]; cursor: string } {
  const result = asObject(asObject(body, where, 'reply')['result'], where, 'result');
  const list = asArray(result['list'], where, 'result.list');
  const c = result['nextPageCursor'];
  if (c !== undefined && c !== null && typeof c !== 'string') throw replyInvalid(where, 'result.nextPageCursor', c, 'a string');
  return { list, cursor: typeof c === 'string' ? c : '' };
}

/** The `category` of a stream item ('spot' | 'linear'), or undefined for a category the daemon does not trade. */
export function itemMarket(o: Obj, where: string): MarketType | undefined {
  const c = text(o, 'category', where);
  return c === 'spot' || c === 'linear' ? c : undefined;
}

export function parseOrder(raw: unknown, market: MarketType, symbols: SymbolOf, where: string): ExchangeOrder {
  const o = asObject(raw, where, 'order');
  const w = `${where} order ${show(o['orderId'])}`;
  const status = text(o, 'orderStatus', w);
  if (!STATUSES.has(status)) throw replyInvalid(w, 'orderStatus', status, [...STATUSES].join('|'));
  const ro = o['reduceOnly'];
  if (ro !== undefined && typeof ro !== 'boolean') throw replyInvalid(w, 'reduceOnly', ro, 'a boolean');
  const trigger = decimal(o, 'triggerPrice', w, 0);
  return {
    market, symbol: symbolOf(o, market, symbols, w), orderId: text(o, 'orderId', w), orderLinkId: text(o, 'orderLinkId', w, true),
    side: side(o, w), qty: decimal(o, 'qty', w), cumExecQty: decimal(o, 'cumExecQty', w, 0), status: status as ExchangeOrderStatus,
    reduceOnly: ro === true, triggerPrice: trigger > 0 ? trigger : undefined, createdTime: ms(o, 'createdTime', w), updatedTime: ms(o, 'updatedTime', w),
  };
}

export function parseExecution(raw: unknown, market: MarketType, symbols: SymbolOf, where: string): ExchangeExecution {
  const o = asObject(raw, where, 'execution');
  const w = `${where} execution ${show(o['execId'])}`;
  const execId = text(o, 'execId', w);
  if (execId === '') throw replyInvalid(w, 'execId', execId, 'a non-empty id');
  return {
    market, symbol: symbolOf(o, market, symbols, w), execId, orderId: text(o, 'orderId', w), orderLinkId: text(o, 'orderLinkId', w, true),
    side: side(o, w), qty: decimal(o, 'execQty', w), price: decimal(o, 'execPrice', w), value: decimal(o, 'execValue', w),
    fee: decimal(o, 'execFee', w), feeCurrency: text(o, 'feeCurrency', w, true), execTime: ms(o, 'execTime', w),
    execType: text(o, 'execType', w), stopOrderType: text(o, 'stopOrderType', w, true),
  };
}

/** One linear position entry; size is unsigned on the wire, `side` Sell makes it negative. Flat: side ''. */
export function parsePosition(raw: unknown, symbols: SymbolOf, where: string): ExchangePosition {
  const o = asObject(raw, where, 'position');
  const w = `${where} position ${show(o['symbol'])}`;
  const size = decimal(o, 'size', w);
  const s = o['side'];
  if (s !== 'Buy' && s !== 'Sell' && s !== '' && s !== 'None') throw replyInvalid(w, 'side', s, 'Buy, Sell or ""');
  if (size !== 0 && s !== 'Buy' && s !== 'Sell') throw replyInvalid(w, 'side', s, `Buy or Sell for size ${size}`);
  return {
    symbol: symbolOf(o, 'linear', symbols, w), qty: s === 'Sell' ? -size : size, avgPrice: decimal(o, 'avgPrice', w, 0),
    markPrice: decimal(o, 'markPrice', w, 0), unrealisedPnl: decimal(o, 'unrealisedPnl', w, 0),
  };
}

/** The coins of one account entry of account/wallet-balance (or of a `wallet` stream item). */
export function parseWalletAccount(raw: unknown, where: string): WalletCoin[] {
  const a = asObject(raw, where, 'account');
  return asArray(a['coin'], where, 'coin').map((c, i) => {
    const o = asObject(c, where, `coin[${i}]`);
    const w = `${where} coin ${show(o['coin'])}`;
    return { coin: text(o, 'coin', w), walletBalance: decimal(o, 'walletBalance', w), locked: decimal(o, 'locked', w, 0) };
  });
}

/** The account/wallet-balance reply of accountType UNIFIED: the coins of its one account. */
export function parseWallet(body: unknown, where: string): WalletCoin[] {
  const { list } = listPage(body, where);
  const unified = list.find((a) => asObject(a, where, 'result.list[]')['accountType'] === 'UNIFIED');
  if (unified === undefined) throw replyInvalid(where, 'result.list[].accountType', list.map((a) => (a as Obj)['accountType']), 'a UNIFIED account');
  return parseWalletAccount(unified, where);
}

const UTA_KIND: Readonly<Record<number, string>> = { 1: 'classic', 3: 'UTA 1.0', 4: 'UTA 1.0 Pro', 5: 'UTA 2.0', 6: 'UTA 2.0 Pro' };

/** user/query-api + account/info -> what the key may do and what the account is (the key itself is dropped). */
export function parseAccountInfo(apiBody: unknown, infoBody: unknown, where: string): AccountInfo {
  const api = asObject(asObject(apiBody, where, 'query-api reply')['result'], where, 'query-api result');
  const info = asObject(asObject(infoBody, where, 'account/info reply')['result'], where, 'account/info result');
  const ro = api['readOnly'];
  if (ro !== 0 && ro !== 1 && ro !== '0' && ro !== '1') throw replyInvalid(where, 'readOnly', ro, '0 or 1');
  const perms = asObject(api['permissions'] ?? {}, where, 'permissions');
  const permissions: string[] = [];
  for (const [group, list] of Object.entries(perms).sort(([a], [b]) => a.localeCompare(b))) {
    for (const p of asArray(list, where, `permissions.${group}`)) permissions.push(`${group}:${String(p)}`);
  }
  const status = Number(info['unifiedMarginStatus']);
  if (!Number.isInteger(status)) throw replyInvalid(where, 'unifiedMarginStatus', info['unifiedMarginStatus'], 'an integer');
  return { kind: UTA_KIND[status] ?? `unifiedMarginStatus ${status}`, permissions, readOnly: ro === 1 || ro === '1' };
}

/** The exchange clock of /v5/market/time: result.timeNano / 1e6, else the envelope time. */
export function parseServerTime(body: unknown, where: string): number {
  const o = asObject(body, where, 'reply');
  const result = asObject(o['result'], where, 'result');
  const nano = result['timeNano'];
  if (typeof nano === 'string' && /^\d{13,}$/.test(nano)) return Number(nano.slice(0, -6)) + Number(`0.${nano.slice(-6)}`);
  return ms(o, 'time', where);
}
