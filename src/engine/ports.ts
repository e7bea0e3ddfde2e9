/**
 * The ports of the one candle loop. Each mode plugs different implementations into the same
 * loop: a candle source (store replay, synthetic stream, live feed), strategy hosts (inline,
 * worker, process), an execution adapter (backtest/paper simulator, later live Bybit), the risk
 * gate, the portfolio, and an accounting sink (SQLite). The loop itself has no mode branches.
 * These are structural types: implementations live in their own layers and never import the loop.
 * The records that cross them (decisions, events, notes, funding) are declared once, in domain/;
 * the execution interface is execution's own (imported as a type only).
 */
import type { Candle } from '../domain/candle.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { EquitySnapshot } from '../domain/equity.ts';
import type { ExecutionNote } from '../domain/execution-note.ts';
import type { FundingSource } from '../domain/funding.ts';
import type { Fill, OrderIntent } from '../domain/order.ts';
import type { RiskDecision } from '../domain/risk-decision.ts';
import type { RiskEvent } from '../domain/risk-event.ts';
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
  /** Resolves when every batch handed over so far has left this process (strategy processes behind IPC). */
  written?(): Promise<void>;
  notifyFills(fills: readonly Fill[]): Promise<void>;
  /** The strategies' end of run (onFinish): the Signals they emit there, merged like processBatch. */
  finish(): Promise<Signal[]>;
}

export interface RiskGatePort {
  evaluate(signal: Signal, market: { price: number; atr?: number }): RiskDecision;
  onOrderFilled(orderId: string): void;
  onOrderCancelled(orderId: string): void;
  /** Once per step, before its signals, with the step's candle time (the gate's only time input). */
  onStep(ts: number): void;
  drainEvents(): RiskEvent[];
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
  decision(d: RiskDecision): void;
  order(o: OrderIntent): void;
  fill(f: Fill): void;
  /** One funding payment of one strategy's position (a FundingPayment of a FundingEvent). */
  funding(ts: number, strategyId: string, symbol: string, rate: number, amount: number, source: FundingSource): void;
  trade(t: Trade): void;
  equity(e: EquitySnapshot): void;
  position(strategyId: string, symbol: string, qty: number, avgPrice: number, ts: number): void;
  riskEvent(e: RiskEvent): void;
  executionNote(n: ExecutionNote): void;
  /** Every candle of a step as the loop processes it (a resumable account records what its strategies were fed); absent = not recorded. */
  readonly candle?: (symbol: string, c: Candle) => void;
  /** Called after every step; a forward sink commits here, a backtest sink only when its buffer is full. */
  stepDone(ts: number): void;
  flush(): void;
}
