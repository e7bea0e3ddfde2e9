import type { Timeframe } from '../../core/timeframe.ts';

/**
 * The performance metrics of one run, as written to results/<run-id>/metrics.json.
 *
 * Contract (see docs/results.md for every formula):
 *  - ratios and returns are FRACTIONS (0.12 = +12 %), money is in quote currency;
 *  - every metric that can be meaningless for a sample is `number | null`: null means "not
 *    available" and `notes[<group>.<key>]` says why — a metric is never clamped or replaced by a
 *    made-up number (the freqtrade "CAGR 5e28 %" failure mode);
 *  - no wall-clock time, host name or absolute path appears here, so the same run gives the same
 *    metrics byte for byte.
 */
export interface Metrics {
  /** Bumped when a field changes meaning or is removed (adding fields keeps the version). */
  readonly schemaVersion: 1;
  readonly period: PeriodMetrics;
  readonly returns: ReturnMetrics;
  readonly drawdown: DrawdownMetrics;
  readonly exposure: ExposureMetrics;
  readonly trades: TradeMetrics;
  readonly costs: CostMetrics;
  readonly benchmark: BenchmarkMetrics;
  /** `<group>.<key>` -> why that metric is null, or a caveat on a value that is reported. Keys sorted. */
  readonly notes: Readonly<Record<string, string>>;
}

export interface PeriodMetrics {
  readonly timeframe: Timeframe;
  /** Candles per year used to annualise (365 days x 24 h; crypto never closes). */
  readonly periodsPerYear: number;
  /** Open time of the first candle step (epoch ms) and the close of the last one; null with no steps. */
  readonly startTs: number | null;
  readonly endTs: number | null;
  readonly start: string | null;
  readonly end: string | null;
  /** Candle steps (equity marks). */
  readonly candles: number;
  /** (endTs - startTs) / 1 day. */
  readonly days: number;
}

export interface ReturnMetrics {
  readonly initialCash: number;
  readonly finalEquity: number;
  readonly netProfit: number;
  readonly totalReturn: number | null;
  readonly cagr: number | null;
  /** Annualised sample standard deviation of per-candle returns. */
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  /** Number of per-candle returns the ratios were computed from. */
  readonly returnObservations: number;
  /** Best and worst single-candle return. */
  readonly bestPeriodReturn: number | null;
  readonly worstPeriodReturn: number | null;
}

export interface DrawdownMetrics {
  /** Largest (peak - equity) / peak, as a positive fraction; 0 when equity never fell. */
  readonly maxDrawdown: number;
  /** Max drawdown in quote currency at its trough. */
  readonly maxDrawdownAbs: number;
  /** Peak-to-recovery (or peak-to-end when not recovered) of the max-drawdown episode. */
  readonly maxDrawdownCandles: number | null;
  readonly maxDrawdownDays: number | null;
  readonly maxDrawdownPeakTs: number | null;
  readonly maxDrawdownTroughTs: number | null;
  /** First mark back at or above the peak; null when it never recovered before the end. */
  readonly maxDrawdownRecoveryTs: number | null;
  readonly maxDrawdownRecovered: boolean | null;
  /** Longest time below a previous peak, whatever its depth. */
  readonly longestDrawdownCandles: number;
  readonly longestDrawdownDays: number;
}

export interface ExposureMetrics {
  /** Share of candle steps with any open position (exposure > 0). */
  readonly timeInMarket: number | null;
  /** Mean gross exposure (notional / equity) over all steps. */
  readonly avgExposure: number | null;
  readonly maxExposure: number | null;
}

export interface TradeMetrics {
  readonly count: number;
  readonly wins: number;
  readonly losses: number;
  readonly breakeven: number;
  readonly winRate: number | null;
  readonly avgWin: number | null;
  readonly avgLoss: number | null;
  readonly largestWin: number | null;
  readonly largestLoss: number | null;
  /** avgWin / |avgLoss|. */
  readonly payoffRatio: number | null;
  /** Gross wins / |gross losses| of net PnL. */
  readonly profitFactor: number | null;
  /** Mean net PnL per trade (quote currency). */
  readonly expectancy: number | null;
  /** Mean of netPnl / (entryPrice x qty) per trade. */
  readonly avgTradeReturn: number | null;
  /** Mean R multiple over trades that had a stop: the expectancy in R. */
  readonly avgRMultiple: number | null;
  readonly tradesWithR: number;
  /** MAE (<= 0) and MFE (>= 0) as fractions of the entry price. */
  readonly avgMae: number | null;
  readonly medianMae: number | null;
  readonly avgMfe: number | null;
  readonly medianMfe: number | null;
  readonly avgBarsHeld: number | null;
  readonly longestWinStreak: number;
  readonly longestLossStreak: number;
}

export interface CostMetrics {
  /** Sum over all fills (negative only when maker rebates exceed fees). */
  readonly fees: number;
  /** Sum of fills' slippage cost (already inside fill prices; reported for attribution). */
  readonly slippage: number;
  /** Funding paid (positive) or received (negative). */
  readonly funding: number;
  /** Sum of trades' price PnL before costs. */
  readonly grossPnl: number;
  /** Sum of trades' net PnL. */
  readonly netPnl: number;
  /** netPnl + fees + funding + slippage: what the trades would have made with free execution. */
  readonly netPnlBeforeCosts: number;
  readonly feesPctOfInitialCash: number;
  readonly slippagePctOfInitialCash: number;
  readonly fundingPctOfInitialCash: number;
  /** Cost / gross PnL; null when gross PnL <= 0 (a share of a loss means nothing). */
  readonly feesPctOfGrossPnl: number | null;
  readonly slippagePctOfGrossPnl: number | null;
  readonly fundingPctOfGrossPnl: number | null;
}

export interface BenchmarkMetrics {
  readonly method: 'equal_weight_buy_and_hold';
  readonly symbols: readonly string[];
  readonly totalReturn: number | null;
  readonly cagr: number | null;
  readonly maxDrawdown: number | null;
  readonly sharpe: number | null;
  /** Each symbol's last close / first close - 1 (sorted by symbol). */
  readonly perSymbol: Readonly<Record<string, number | null>>;
  /** Strategy total return - buy-and-hold total return (percentage points, as a fraction). */
  readonly excessReturn: number | null;
}

/** Sample-size rules: below these a metric is null, never a number from too little data. */
export const METRIC_RULES = {
  /** Sharpe, Sortino and volatility need at least this many per-candle returns. */
  minReturnObservations: 30,
  /** CAGR (and so Calmar) needs a period of at least this many days. */
  minCagrDays: 30,
  /** Below a year, a CAGR above this (+1000 %/year) is an extrapolation artefact: null, not shown. */
  maxExtrapolatedCagr: 10,
  /** A standard / downside deviation at or below this (per candle) counts as zero volatility. */
  zeroVolatility: 1e-12,
  /** Trade statistics on fewer trades than this are reported with a low-significance note. */
  lowTradeCount: 30,
} as const;
