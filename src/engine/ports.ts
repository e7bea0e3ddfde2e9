/**
 * The ports of the one candle loop. Each mode plugs different implementations into the same
 * loop: a candle source (store replay, synthetic stream, live feed), strategy hosts (inline,
 * worker, process), an execution adapter (backtest/paper simulator, later live Bybit), the risk
 * gate, the portfolio, and an accounting sink (SQLite). The loop itself has no mode branches.
 * These are structural types: implementations live in their own layers and never import the loop.
 */
import type { Candle } from '../domain/candle.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { EquitySnapshot } from '../domain/equity.ts';
import type { Fill, OrderIntent } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import type { Trade } from '../domain/trade.ts';

/** Candles in time order, in batches whose rows are grouped by step (same ts). */
export interface CandleSourcePort {
  readonly symbols: readonly string[];
  /** Number of steps when known in advance (store replay); sizes the equity series exactly. */
  readonly stepCount?: number;
  batches(): AsyncIterable<CandleBatch>;
}

export interface StrategyHostsPort {
  /** True when any strategy reacts to fills: the loop then feeds it one step at a time. */
  readonly usesFills: boolean;
  /** Signals of all strategies for the batch, merged in a deterministic order (ts, strategy, emission). */
  processBatch(batch: CandleBatch): Promise<Signal[]>;
  notifyFills(fills: readonly Fill[]): Promise<void>;
}

export interface FundingEventLike {
  readonly ts: number;
  readonly symbol: string;
  readonly rate: number;
  readonly markPrice: number;
  readonly source: 'history' | 'fallback';
  /** What each strategy's position paid (positive) or received (negative), computed by execution
   *  with the exact in-candle ordering (funding at the open is charged before the open's fills). */
  readonly payments: ReadonlyArray<{ readonly strategyId: string; readonly amount: number }>;
}

export interface ExecutionNoteLike {
  readonly ts: number;
  readonly orderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly kind: string;
  readonly requestedQty: number;
  readonly filledQty: number;
  readonly message: string;
}

/** A circuit breaker or lock of the risk gate tripping or clearing (drawdown halt, daily loss...). */
export interface RiskEventLike {
  readonly ts: number;
  readonly code: string;
  readonly kind: string;
  readonly message: string;
}

export interface ExecutionPort {
  submit(order: OrderIntent, decision: { candle: Candle; atr?: number }): Fill[];
  onCandle(symbol: string, candle: Candle): { fills: Fill[]; funding: FundingEventLike[] };
  closeAll(last: ReadonlyMap<string, Candle>): Fill[];
  /** What the adapter did to orders other than filling them as asked (clamped, dropped, cancelled)
   *  since the last call; dropped and cancelled orders release their risk reservations. */
  drainNotes(): ReadonlyArray<ExecutionNoteLike>;
}

export type RiskDecisionLike =
  | { readonly signalId: string; readonly strategyId: string; readonly symbol: string; readonly ts: number; readonly approved: true; readonly orders: readonly OrderIntent[]; readonly resized: boolean; readonly note: string }
  | { readonly signalId: string; readonly strategyId: string; readonly symbol: string; readonly ts: number; readonly approved: false; readonly reasonCode: string; readonly reason: string };

export interface RiskGatePort {
  evaluate(signal: Signal, market: { price: number; atr?: number }): RiskDecisionLike;
  onOrderFilled(orderId: string): void;
  onOrderCancelled(orderId: string): void;
  onStep(ts: number): void;
  drainEvents(): RiskEventLike[];
}

export interface PortfolioPort {
  applyFill(fill: Fill, meta?: { stop?: number }): Trade[];
  /** Books one funding payment of one strategy's position (positive = paid). */
  applyFundingPayment(strategyId: string, symbol: string, amount: number, ts: number): void;
  observeCandle(symbol: string, c: Candle): void;
  mark(ts: number, prices: ReadonlyMap<string, number>): EquitySnapshot;
  position(strategyId: string, symbol: string): { qty: number; avgPrice: number };
}

/** Where the loop records everything it decides and does (SQLite in every mode). */
export interface AccountingSink {
  signal(s: Signal): void;
  decision(d: RiskDecisionLike): void;
  order(o: OrderIntent): void;
  fill(f: Fill): void;
  funding(ts: number, strategyId: string, symbol: string, rate: number, amount: number, source: string): void;
  trade(t: Trade): void;
  equity(e: EquitySnapshot): void;
  position(strategyId: string, symbol: string, qty: number, avgPrice: number, ts: number): void;
  riskEvent(e: RiskEventLike): void;
  executionNote(n: ExecutionNoteLike): void;
  /** Called after every step; a forward sink commits here, a backtest sink only when its buffer is full. */
  stepDone(ts: number): void;
  flush(): void;
}
