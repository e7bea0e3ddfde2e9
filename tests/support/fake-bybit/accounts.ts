/**
 * Accounts of the fake exchange: API key -> secret, and per account its coin balances, orders,
 * executions and linear positions. Plain state; the matching engine (matching.ts) changes it and
 * private-rest.ts renders it in Bybit's wire shapes. Ids are per server and deterministic
 * (sequence numbers), so two runs of the same test produce the same ids.
 */
import type { FakeCategory } from './market-data.ts';
import { splitSymbol } from './wire.ts';

function splitQuote(symbol: string): string {
  return splitSymbol(symbol).quote;
}

export interface AccountSpec {
  readonly apiKey: string;
  readonly secret: string;
  /** Initial coin balances, e.g. { USDT: 10000 }. */
  readonly balances?: Readonly<Record<string, number>>;
  /** Taker fee rate for this account (default the server's, 0.001 = 0.1 %). */
  readonly takerFee?: number;
  /**
   * A demo trading account: private paths outside Bybit's demo API list (docs/v5/demo: no
   * user/query-api, no asset/coin/query-info) answer 404 / 10017 as the demo domain does.
   */
  readonly demo?: boolean;
  /**
   * What `/v5/user/query-api` says of the key (Bybit's "Get API Key Information"): readOnly 0 (read
   * and write, the default) or 1, and the permissions per group (default: contract and spot trade,
   * account transfer; no Withdraw). E.g. `{ Wallet: ['AccountTransfer', 'Withdraw'] }`.
   */
  readonly readOnly?: 0 | 1;
  readonly permissions?: Readonly<Record<string, readonly string[]>>;
}

/** The permissions of a key opened without any: trade on contracts and spot, transfer between own accounts. */
export const DEFAULT_KEY_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  ContractTrade: ['Order', 'Position'], Spot: ['SpotTrade'], Wallet: ['AccountTransfer'], Options: [], Derivatives: [], Exchange: [], NFT: [],
};

/**
 * Bybit's order statuses (enum.mdx#orderstatus): a conditional order rests as `Untriggered`, passes
 * `Triggered` when its trigger price trades, then fills; cancelled before its trigger it ends `Deactivated`.
 */
export type OrderStatus = 'New' | 'PartiallyFilled' | 'Filled' | 'Cancelled' | 'Rejected' | 'Untriggered' | 'Triggered' | 'Deactivated';

/** '' for a plain order; 'Stop' for a conditional order (triggerPrice); 'TakeProfit' / 'StopLoss' for a position TP/SL close. */
export type StopOrderType = '' | 'Stop' | 'TakeProfit' | 'StopLoss';

export interface FakeOrder {
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly category: FakeCategory;
  readonly symbol: string;
  readonly side: 'Buy' | 'Sell';
  readonly orderType: 'Market' | 'Limit';
  /** The qty as sent (quote units for a spot market order with marketUnit quoteCoin). */
  qty: string;
  readonly marketUnit: '' | 'baseCoin' | 'quoteCoin';
  price: string;
  readonly reduceOnly: boolean;
  readonly timeInForce: string;
  /** '' for a plain order; 'Stop' for a conditional one; 'TakeProfit' / 'StopLoss' for the close a position's TP/SL triggered. */
  readonly stopOrderType: StopOrderType;
  /** Conditional orders: the trigger price (0 = none) and direction (1 = rises to it, 2 = falls to it; 0 = none). */
  readonly triggerPrice: number;
  readonly triggerDirection: 0 | 1 | 2;
  readonly closeOnTrigger: boolean;
  /** The served price when the order was placed ('' for plain orders), as Bybit's `lastPriceOnCreated`. */
  readonly lastPriceOnCreated: string;
  readonly createdTime: number;
  status: OrderStatus;
  /** Bybit's cancelType / rejectReason of a closed order ('UNKNOWN' / 'EC_NoError' while none). */
  cancelType: string;
  rejectReason: string;
  avgPrice: number;
  cumExecQty: number;
  cumExecValue: number;
  cumExecFee: number;
  leavesQty: number;
  updatedTime: number;
}

export interface FakeExecution {
  readonly execId: string;
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly category: FakeCategory;
  readonly symbol: string;
  readonly side: 'Buy' | 'Sell';
  readonly orderType: 'Market' | 'Limit';
  /** The order's stopOrderType ('' plain, 'Stop' conditional, 'TakeProfit' / 'StopLoss'). */
  readonly stopOrderType: StopOrderType;
  readonly orderQty: string;
  readonly orderPrice: string;
  readonly execPrice: number;
  readonly execQty: number;
  readonly execValue: number;
  readonly execFee: number;
  readonly feeCurrency: string;
  readonly feeRate: number;
  readonly execTime: number;
  readonly isMaker: boolean;
}

export interface FakePosition {
  readonly symbol: string;
  /** Signed base quantity: > 0 long, < 0 short. */
  size: number;
  avgPrice: number;
  cumRealisedPnl: number;
  leverage: number;
  /** Position TP / SL trigger prices (0 = none), set by trading-stop or an opening order's takeProfit/stopLoss. */
  takeProfit: number;
  stopLoss: number;
  createdTime: number;
  updatedTime: number;
}

export class FakeAccount {
  readonly balances = new Map<string, number>();
  readonly orders: FakeOrder[] = [];
  readonly executions: FakeExecution[] = [];
  readonly positions = new Map<string, FakePosition>();

  /** The key's own information on /v5/user/query-api. */
  readOnly: 0 | 1 = 0;
  permissions: Readonly<Record<string, readonly string[]>> = DEFAULT_KEY_PERMISSIONS;

  constructor(readonly apiKey: string, readonly secret: string, readonly takerFee: number, balances: Readonly<Record<string, number>> = {}, readonly demo = false) {
    for (const [coin, v] of Object.entries(balances)) this.balances.set(coin, v);
  }

  balance(coin: string): number {
    return this.balances.get(coin) ?? 0;
  }

  credit(coin: string, delta: number): void {
    this.balances.set(coin, round(this.balance(coin) + delta));
  }

  orderByLinkId(orderLinkId: string): FakeOrder | undefined {
    return this.orders.find((o) => o.orderLinkId === orderLinkId);
  }

  /** Sets a coin balance outright (the admin endpoint's "deposit/withdraw on the website"). */
  setBalance(coin: string, amount: number): void {
    this.balances.set(coin, round(amount));
  }

  /**
   * Adds a linear position of `qty` on `side` at `price` without an order, a fee or an execution: a
   * position the account's owner opened elsewhere (the admin endpoint's "foreign position").
   * Netted with an existing position like a fill would be; realised PnL of a reduced part is booked.
   */
  openForeignPosition(symbol: string, side: 'Buy' | 'Sell', qty: number, price: number, leverage: number, now: number): FakePosition {
    const dir = side === 'Buy' ? 1 : -1;
    const p = this.positions.get(symbol) ?? { symbol, size: 0, avgPrice: 0, cumRealisedPnl: 0, leverage, takeProfit: 0, stopLoss: 0, createdTime: now, updatedTime: now };
    const size = p.size;
    const closing = size !== 0 && Math.sign(size) !== dir ? Math.min(qty, Math.abs(size)) : 0;
    const opening = round(qty - closing);
    if (closing > 0) {
      const pnl = round(closing * (price - p.avgPrice) * Math.sign(size));
      this.credit(splitQuote(symbol), pnl);
      p.cumRealisedPnl = round(p.cumRealisedPnl + pnl);
    }
    if (opening > 0) p.avgPrice = size === 0 || Math.sign(size) !== dir ? price : round((Math.abs(size) * p.avgPrice + opening * price) / (Math.abs(size) + opening));
    p.size = round(size + dir * qty);
    if (p.size === 0) Object.assign(p, { avgPrice: 0, takeProfit: 0, stopLoss: 0 });
    p.updatedTime = now;
    this.positions.set(symbol, p);
    return p;
  }

  /** Initial margin held by the open linear positions (entry notional / leverage). */
  positionMargin(): number {
    let im = 0;
    for (const p of this.positions.values()) im += (Math.abs(p.size) * p.avgPrice) / p.leverage;
    return round(im);
  }
}

export const DEFAULT_TAKER_FEE = 0.001;
/** Leverage of every linear position (Bybit's default for a new account is 10x). */
export const DEFAULT_LEVERAGE = 10;

/** Removes float noise (1e-12) so balances and quantities print as Bybit's decimal strings would. */
export function round(v: number): number {
  return Number(v.toFixed(10));
}

/** An order changed (and, for a fill, the execution it produced): what the private stream pushes. */
export type AccountListener = (acct: FakeAccount, order: FakeOrder, execution?: FakeExecution) => void;

export class AccountBook {
  private readonly byKey = new Map<string, FakeAccount>();
  private seq = 0;
  private readonly listeners: AccountListener[] = [];

  onChange(l: AccountListener): void {
    this.listeners.push(l);
  }

  emit(acct: FakeAccount, order: FakeOrder, execution?: FakeExecution): void {
    for (const l of this.listeners) l(acct, order, execution);
  }

  constructor(private readonly defaultTakerFee = DEFAULT_TAKER_FEE) {}

  add(spec: AccountSpec): FakeAccount {
    if (spec.apiKey === '' || spec.secret === '') throw new Error('fake-bybit: an account needs a non-empty apiKey and secret');
    if (this.byKey.has(spec.apiKey)) throw new Error(`fake-bybit: account ${spec.apiKey} exists already`);
    const acct = new FakeAccount(spec.apiKey, spec.secret, spec.takerFee ?? this.defaultTakerFee, spec.balances, spec.demo === true);
    if (spec.readOnly !== undefined) acct.readOnly = spec.readOnly;
    if (spec.permissions !== undefined) acct.permissions = { ...spec.permissions };
    this.byKey.set(spec.apiKey, acct);
    return acct;
  }

  get(apiKey: string): FakeAccount | undefined {
    return this.byKey.get(apiKey);
  }

  secretOf(apiKey: string): string | undefined {
    return this.byKey.get(apiKey)?.secret;
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  all(): FakeAccount[] {
    return [...this.byKey.values()];
  }

  /** Next id of a kind: deterministic, unique per server, Bybit-like digits for orders. */
  nextId(kind: 'order' | 'exec'): string {
    this.seq += 1;
    return kind === 'order' ? `1${String(this.seq).padStart(18, '0')}` : `e0000000-0000-4000-8000-${String(this.seq).padStart(12, '0')}`;
  }
}
