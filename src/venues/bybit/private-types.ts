/**
 * The records and the two interfaces of Bybit's private API as the daemon uses it: signed REST
 * (orders, executions, positions, wallet, instrument rules) and the authenticated private
 * WebSocket. Everything here speaks ccxt unified symbols (BTC/USDT, BTC/USDT:USDT) and numbers;
 * the implementations (private-api.ts, private-stream.ts) map Bybit's ids and strings and check
 * every reply's shape, so nothing above this seam parses exchange text.
 *
 * The execution adapter (src/execution/bybit/) and the reconciliation are written against these
 * interfaces only.
 */
import type { MarketType } from '../../domain/instrument.ts';

export type BybitSide = 'Buy' | 'Sell';

/** What a market or conditional market order asks for. Quantities are already rounded to the lot step. */
export interface PlaceOrderRequest {
  readonly market: MarketType;
  /** Unified symbol. */
  readonly symbol: string;
  readonly side: BybitSide;
  /** Base-currency quantity (spot market orders are sent with marketUnit = baseCoin). */
  readonly qty: number;
  /** 1–36 characters of [A-Za-z0-9_-]; unique per exchange account (Bybit answers 110072 to a repeat). */
  readonly orderLinkId: string;
  readonly reduceOnly: boolean;
  /**
   * A conditional market order: rests (`Untriggered`) until the last price crosses `price`
   * (`direction` 1 = rises to it, 2 = falls to it), then fills as a market order. Used for the
   * protective stop-loss and take-profit of a position (docs/execution.md says why).
   */
  readonly trigger?: { readonly price: number; readonly direction: 1 | 2 };
}

/**
 * The outcome of ONE order-create request. `unknown` is a request whose answer never came back
 * (timeout, dropped socket, 5xx after sending): the order may or may not exist, and the caller
 * must look it up by `orderLinkId` before anything else. Nothing is retried inside `placeOrder`
 * except a rate-limit refusal, which Bybit answers before placing anything.
 */
export type PlaceOutcome =
  | { readonly kind: 'accepted'; readonly orderId: string }
  /** Bybit refused it (retCode != 0): nothing was placed. 110072 (duplicate orderLinkId) is `duplicate`. */
  | { readonly kind: 'rejected'; readonly code: number; readonly message: string }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'unknown'; readonly message: string };

export type ExchangeOrderStatus =
  | 'New' | 'PartiallyFilled' | 'Filled' | 'Cancelled' | 'PartiallyFilledCanceled' | 'Rejected'
  | 'Untriggered' | 'Triggered' | 'Deactivated';

export interface ExchangeOrder {
  readonly market: MarketType;
  readonly symbol: string;
  readonly orderId: string;
  /** '' for an order placed without one (by hand, or a position TP/SL). */
  readonly orderLinkId: string;
  readonly side: BybitSide;
  readonly qty: number;
  readonly cumExecQty: number;
  readonly status: ExchangeOrderStatus;
  readonly reduceOnly: boolean;
  /** Conditional orders: the trigger price (undefined for a plain order). */
  readonly triggerPrice: number | undefined;
  readonly createdTime: number;
  readonly updatedTime: number;
}

export interface ExchangeExecution {
  readonly market: MarketType;
  readonly symbol: string;
  /** Bybit's execution id: unique, the key every execution is booked under exactly once. */
  readonly execId: string;
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly side: BybitSide;
  readonly qty: number;
  readonly price: number;
  /** qty x price in the quote coin. */
  readonly value: number;
  /** The fee as charged, in `feeCurrency` (base coin for a spot buy, quote otherwise); negative = rebate. */
  readonly fee: number;
  readonly feeCurrency: string;
  readonly execTime: number;
  /** Bybit's execType: Trade for fills; Funding for a linear funding settlement (fee = the payment). */
  readonly execType: string;
  /** '' for a plain order, e.g. 'StopLoss', 'TakeProfit', 'Stop' for triggered ones. */
  readonly stopOrderType: string;
}

export interface ExchangePosition {
  readonly symbol: string;
  /** Signed base quantity: > 0 long, < 0 short, 0 flat. */
  readonly qty: number;
  readonly avgPrice: number;
  readonly markPrice: number;
  readonly unrealisedPnl: number;
}

export interface WalletCoin {
  readonly coin: string;
  /** Balance excluding unrealised PnL (Bybit's walletBalance). */
  readonly walletBalance: number;
  readonly locked: number;
}

/** One instrument's order rules from `/v5/market/instruments-info` (not the config fallbacks). */
export interface InstrumentRules {
  readonly symbol: string;
  /** Bybit's symbol id, e.g. BTCUSDT. */
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  readonly minQty: number;
  readonly qtyStep: number;
  readonly minNotional: number;
  readonly tickSize: number;
}

/** What the account is, for the start-up banner (never a key). */
export interface AccountInfo {
  /** e.g. "UTA 2.0" */
  readonly kind: string;
  /** The API key's own permissions as Bybit reports them, when it does; [] otherwise. */
  readonly permissions: readonly string[];
  readonly readOnly: boolean;
}

/**
 * Signed REST. Reads retry on rate limits and network errors with the configured policy; every
 * reply is shape-checked (CT_ERR_EXCHANGE_REPLY_INVALID naming the field). Requests are paced on
 * Bybit's `X-Bapi-Limit-Status` / `X-Bapi-Limit-Reset-Timestamp` headers on top of ccxt's throttle.
 */
export interface BybitPrivateApi {
  /** Our clock minus the exchange's (`/v5/market/time`), in ms; the client signs with it corrected. */
  checkClock(): Promise<{ skewMs: number }>;
  accountInfo(): Promise<AccountInfo>;
  instruments(market: MarketType, symbols: readonly string[]): Promise<ReadonlyMap<string, InstrumentRules>>;
  placeOrder(req: PlaceOrderRequest): Promise<PlaceOutcome>;
  /** 'cancelled', or 'not_found' when it is no longer open (filled, cancelled, never placed). */
  cancelOrder(market: MarketType, symbol: string, orderLinkId: string): Promise<'cancelled' | 'not_found'>;
  /** The order with this orderLinkId, open or closed, or undefined when the exchange has none. */
  findOrder(market: MarketType, symbol: string, orderLinkId: string): Promise<ExchangeOrder | undefined>;
  /** Every open order (plain and conditional) on these symbols. */
  openOrders(market: MarketType, symbols: readonly string[]): Promise<ExchangeOrder[]>;
  /** Every execution with execTime >= sinceMs (all pages), oldest first. */
  executions(market: MarketType, sinceMs: number): Promise<ExchangeExecution[]>;
  /** Linear: the open position of each symbol (flat ones omitted). Spot: always []. */
  positions(market: MarketType, symbols: readonly string[]): Promise<ExchangePosition[]>;
  wallet(): Promise<WalletCoin[]>;
}

export type PrivateStreamEvent =
  | { readonly type: 'up' }
  | { readonly type: 'down'; readonly reason: string }
  | { readonly type: 'execution'; readonly executions: readonly ExchangeExecution[] }
  | { readonly type: 'order'; readonly orders: readonly ExchangeOrder[] }
  | { readonly type: 'position'; readonly positions: readonly ExchangePosition[] }
  | { readonly type: 'wallet'; readonly coins: readonly WalletCoin[] };

/**
 * The authenticated private stream (`<base>/v5/private`): auth, then `order`, `execution`,
 * `position`, `wallet`. Reconnects with backoff; `up` is sent after every successful auth and
 * subscribe, `down` when a connection is lost or stalls. While it is down the caller polls REST.
 */
export interface PrivateStream {
  readonly up: boolean;
  close(): void;
}
