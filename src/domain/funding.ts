/**
 * Funding of linear perpetuals as execution reports it: one event per funding instant inside a
 * candle, with what each strategy's position paid or received. The portfolio books the payments,
 * the accounting stores one `funding_payments` row per payment.
 */

/** One funding instant of a linear perpetual inside a candle. */
export interface FundingEvent {
  /** The funding time (UTC ms). */
  readonly ts: number;
  readonly symbol: string;
  /** Rate per funding interval as a fraction (0.0001 = 0.01 %); longs pay when > 0. */
  readonly rate: number;
  /** Price the payment is computed on: the open of the candle holding the funding time. */
  readonly markPrice: number;
  /** 'fallback' = no stored history covered this instant; the configured fallback rate was used. */
  readonly source: FundingSource;
  /**
   * What each position held AT the funding instant pays (amount > 0 = paid, < 0 = received):
   * `qty x markPrice x rate` with signed qty. Positions opened by a fill at this same candle's
   * open are NOT included when the funding time is the open (they did not exist yet).
   */
  readonly payments: readonly FundingPayment[];
}

/** 'exchange': settled by the exchange on an exchange-backed account (a Bybit Funding execution). */
export type FundingSource = 'history' | 'fallback' | 'exchange';

/** What one strategy's position paid (positive) or received (negative) at one funding instant. */
export interface FundingPayment {
  readonly strategyId: string;
  /** Signed position the payment was computed on. */
  readonly qty: number;
  readonly amount: number;
}
