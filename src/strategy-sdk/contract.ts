import type { Timeframe } from '../core/timeframe.ts';
import type { CandleColumns } from '../domain/candle.ts';
import type { MarketType } from '../domain/instrument.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal, SignalKind } from '../domain/signal.ts';
import type { RankScore, RankSnapshot } from './ranking.ts';
import type { ParamsOf, StrategyInputs, StrategySchema } from './schema.ts';

/**
 * The strategy contract: what a strategy module exports and what it can see. Everything a strategy
 * can reach goes through `StrategyContext`; there is deliberately no clock, no file system, no
 * network and no account on it, so a strategy's decisions are a pure function of the closed candles
 * it was given and the signals it emitted itself (see docs/strategies.md, "Position model").
 */

/**
 * A read-only indicator (or price) series that grows by one value per closed candle of its
 * timeframe. Handles are long-lived: the same object keeps returning the newest values.
 */
export interface Series {
  /** Number of values so far (= candles of that symbol/timeframe so far). */
  readonly length: number;
  /** The value `back` candles ago (0 = the just-closed candle). NaN while warming up or out of range. */
  last(back?: number): number;
  /** The value at absolute index i (0 = first candle). NaN out of range. */
  at(i: number): number;
  /** A typed-array view of all values so far (allocates a view: avoid calling it per candle). */
  values(): Float64Array;
}

export type PriceSource = 'open' | 'high' | 'low' | 'close' | 'volume';

/** Which series an indicator is computed on; defaults: ctx.symbol, the loop's timeframe, close. */
export interface SeriesOptions {
  readonly symbol?: string;
  /** A timeframe >= the loop's base timeframe (higher ones are resampled from closed base candles). */
  readonly timeframe?: Timeframe;
}
export interface SourceOptions extends SeriesOptions {
  readonly source?: PriceSource;
}

/**
 * Cached incremental indicators (src/indicators streams). The first call for a given
 * (symbol, timeframe, indicator, parameters) creates the stream and feeds it the history so far;
 * from then on it is updated once per closed candle — O(1) per candle, never a batch recompute.
 */
export interface IndicatorAccess {
  sma(n: number, o?: SourceOptions): Series;
  ema(n: number, o?: SourceOptions): Series;
  wma(n: number, o?: SourceOptions): Series;
  rsi(n: number, o?: SourceOptions): Series;
  roc(n: number, o?: SourceOptions): Series;
  zscore(n: number, o?: SourceOptions): Series;
  macd(fast: number, slow: number, signal: number, o?: SourceOptions): { readonly macd: Series; readonly signal: Series; readonly hist: Series };
  bollinger(n: number, k: number, o?: SourceOptions): {
    readonly upper: Series; readonly middle: Series; readonly lower: Series; readonly bandwidth: Series; readonly percentB: Series;
  };
  atr(n: number, o?: SeriesOptions): Series;
  adx(n: number, o?: SeriesOptions): { readonly adx: Series; readonly plusDi: Series; readonly minusDi: Series };
  donchian(n: number, o?: SeriesOptions): { readonly upper: Series; readonly lower: Series; readonly middle: Series };
  stoch(kPeriod: number, kSmooth: number, dPeriod: number, o?: SeriesOptions): { readonly k: Series; readonly d: Series };
  /** Annualised with the periods per year of the series' timeframe. */
  realizedVol(n: number, o?: SeriesOptions): Series;
  volumeZscore(n: number, o?: SeriesOptions): Series;
}

/** What a strategy passes to ctx.signal(); the SDK adds id, strategyId, symbol default and ts. */
export interface SignalInput {
  readonly kind: SignalKind;
  /** Defaults to ctx.symbol (required in universe strategies). */
  readonly symbol?: string;
  /** Defaults: enter_long 1, enter_short -1, exit 0; required for `target`. */
  readonly targetExposure?: number;
  readonly stop?: number;
  readonly takeProfit?: number;
  /** In [0, 1]; default 1. */
  readonly confidence?: number;
  readonly reason: string;
  /** The indicator values that decided (finite numbers). */
  readonly indicators?: Readonly<Record<string, number>>;
}

/** Strategy logging: records carry the instance, symbol and candle ts, never the wall clock. */
export interface StrategyLogger {
  debug(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

export interface StrategyContext<P = Readonly<Record<string, unknown>>, S = Record<string, unknown>> {
  readonly instanceId: string;
  readonly strategyId: string;
  /** Validated, defaulted, frozen parameters. */
  readonly params: P;
  /** The strategy's own plain-data state (JSON-like values only), created by `initialState`. */
  readonly state: S;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  readonly market: MarketType;
  /** true on linear markets; spot is long-only (an enter_short there is a contract error). */
  readonly canShort: boolean;
  /**
   * The symbol being handled: set in onCandle of per-symbol strategies and in onFill; '' in
   * universe strategies' onCandle (pass `symbol` explicitly there).
   */
  readonly symbol: string;
  /** Open time of the candle step being handled (the decision candle). */
  readonly ts: number;
  /** Symbols with a closed candle at this step (a symbol missing here simply had no candle). */
  readonly stepSymbols: readonly string[];
  /** Candle history of a symbol/timeframe up to and including the just-closed candle (views). */
  candles(symbol?: string, timeframe?: Timeframe): CandleColumns;
  /** One price field as a Series (no allocation per call after the first). */
  price(source: PriceSource, o?: SeriesOptions): Series;
  /** Number of closed candles of the symbol (base timeframe) so far. */
  bars(symbol?: string): number;
  /** bars(symbol) >= the strategy's warm-up. */
  ready(symbol?: string): boolean;
  readonly ind: IndicatorAccess;
  /**
   * The strategy's own INTENDED exposure on a symbol: the targetExposure of its last
   * enter/target signal there, 0 after an exit. Not the account position (see docs).
   */
  position(symbol?: string): number;
  /** Base candles of the symbol since the current position was entered (0 on the entry candle); -1 when flat. */
  barsSinceEntry(symbol?: string): number;
  /** Base candles of the symbol since the last exit (0 on the exit candle); -1 if it never exited. */
  barsSinceExit(symbol?: string): number;
  /** Emits a Signal (validated, frozen) and returns it. Only from onCandle and onFinish. */
  signal(input: SignalInput): Signal;
  readonly log: StrategyLogger;
}

/** A cross-parameter rule failure (e.g. fast >= slow). */
export interface ParamProblem {
  readonly param: string;
  readonly message: string;
}

export interface StrategyDefinition<I extends StrategyInputs, S> {
  readonly schema: StrategySchema<I>;
  /** Candles per symbol needed before onCandle can decide (default 1). Per-symbol strategies are not called before it. */
  warmup?(params: ParamsOf<I>): number;
  /** Rules that involve several parameters; each problem becomes CT_ERR_STRATEGY_PARAM_INVALID. */
  checkParams?(params: ParamsOf<I>): ParamProblem | undefined;
  /** Creates the initial plain-data state (default `{}`). */
  initialState?(params: ParamsOf<I>): S;
  onInit?(ctx: StrategyContext<ParamsOf<I>, S>): void;
  onCandle(ctx: StrategyContext<ParamsOf<I>, S>): void;
  /** Informational only (signals cannot be emitted here). Exporting it runs the strategy in lock-step. */
  onFill?(ctx: StrategyContext<ParamsOf<I>, S>, fill: Fill): void;
  onFinish?(ctx: StrategyContext<ParamsOf<I>, S>): void;
  /**
   * The ranking hook: a strategy that exports it is a ranking strategy, usable by `rank` (the
   * 4-hour ranking evaluation). Called once per evaluation time with the universe's features at
   * that time; returns the candidates it wants with a score each (higher is better). Pure: the
   * same snapshot and parameters must give the same answer (no state, no clock).
   */
  rank?(snapshot: RankSnapshot, params: ParamsOf<I>): readonly RankScore[];
}

/** What the loader works with once a module was accepted. */
export type AnyStrategy = StrategyDefinition<StrategyInputs, Record<string, unknown>>;

/**
 * Identity function that gives a strategy module full type inference: params typed from the
 * schema's inputs, state typed from initialState. `export default defineStrategy({...})`.
 */
export function defineStrategy<const I extends StrategyInputs, S extends object = Record<string, unknown>>(
  def: StrategyDefinition<I, S>,
): StrategyDefinition<I, S> {
  return def;
}
