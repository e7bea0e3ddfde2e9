/**
 * computeMetrics: the whole Metrics record of a run from its equity marks, closed trades, fills
 * and the closes of its symbols (for buy-and-hold). Pure and deterministic: the same inputs give
 * the same numbers bit for bit (fixed summation order, no clock, no randomness).
 */
import { CtError } from '../../core/errors.ts';
import { isoUtc } from '../../core/time.ts';
import { periodsPerYear, timeframeMs, type Timeframe } from '../../core/timeframe.ts';
import { equityColumnsOf, type EquityMarks } from '../../domain/equity.ts';
import type { Fill } from '../../domain/order.ts';
import type { Trade } from '../../domain/trade.ts';
import { buyAndHold } from './buy-and-hold.ts';
import { cagrOf, drawdownStats, markTimeOf, ratioStats, type CurveInput } from './curve-stats.ts';
import { tradeStats } from './trade-stats.ts';
import type { BenchmarkMetrics, CostMetrics, DrawdownMetrics, ExposureMetrics, Metrics, PeriodMetrics, ReturnMetrics } from './types.ts';

export interface MetricsInput {
  /** One mark per candle step, in time order (the close of the candle opening at `ts`). */
  readonly equity: EquityMarks;
  /** Closed round trips, in the order they closed. */
  readonly trades: readonly Trade[];
  readonly fills: readonly Fill[];
  readonly initialCash: number;
  readonly timeframe: Timeframe;
  /** Close series of each symbol over the run's range (for buy-and-hold). */
  readonly benchmarkCloses: ReadonlyMap<string, ArrayLike<number>>;
  /** Candle open times matching benchmarkCloses; needed to align symbols of different lengths. */
  readonly benchmarkTs?: ReadonlyMap<string, ArrayLike<number>>;
  /** Total funding paid (+) / received (-); defaults to the sum over trades (complete when all
   *  positions were closed by the end of the run). */
  readonly fundingTotal?: number;
}

const DAY_MS = 86_400_000;

export function computeMetrics(input: MetricsInput): Metrics {
  const { equity, initialCash, timeframe } = input;
  if (!(Number.isFinite(initialCash) && initialCash > 0)) {
    throw new CtError('CT_ERR_INTERNAL', `computeMetrics: initialCash must be a positive number, got ${initialCash}`, { details: { initialCash } });
  }
  const notes: Record<string, string> = {};
  const tfMs = timeframeMs(timeframe);
  const ppy = periodsPerYear(timeframe);
  const n = equity.length;
  const values = new Float64Array(n);
  const ts = new Float64Array(n);
  const exposures = new Float64Array(n);
  // Columnar marks (the engine's EquitySeries) are read directly: a snapshot object per mark was
  // most of this function's time on a long run.
  const cols = equityColumnsOf(equity);
  for (let i = 0; i < n; i++) {
    const e = cols === undefined ? equity.at(i)! : undefined;
    const v = cols === undefined ? e!.equity : cols.equity[i]!;
    const t = cols === undefined ? e!.ts : cols.ts[i]!;
    if (!Number.isFinite(v) || !Number.isFinite(t)) {
      throw new CtError('CT_ERR_INTERNAL', `computeMetrics: equity mark ${i} (ts ${t}) has a non-finite value ${v}`, { details: { index: i, ts: t } });
    }
    values[i] = v;
    ts[i] = t;
    exposures[i] = cols === undefined ? e!.exposure : cols.exposure[i]!;
  }
  const curve: CurveInput = { values, ts, length: n, start: initialCash, timeframeMs: tfMs };

  // --- period ----------------------------------------------------------------------------------
  const startTs = n > 0 ? ts[0]! : null;
  const endTs = n > 0 ? ts[n - 1]! + tfMs : null;
  const days = startTs !== null && endTs !== null ? (endTs - startTs) / DAY_MS : 0;
  const period: PeriodMetrics = {
    timeframe, periodsPerYear: ppy, startTs, endTs,
    start: startTs === null ? null : isoUtc(startTs), end: endTs === null ? null : isoUtc(endTs),
    candles: n, days,
  };

  // --- returns and ratios ------------------------------------------------------------------------
  const finalEquity = n > 0 ? values[n - 1]! : initialCash;
  const rs = ratioStats(curve, ppy);
  for (const [k, why] of Object.entries(rs.reasons)) notes[`returns.${k}`] = why;
  const cagr = n > 0 ? cagrOf(initialCash, finalEquity, days) : { value: null, reason: 'the run has no candle steps' };
  if (cagr.reason) notes['returns.cagr'] = cagr.reason;
  else if (days < 365) notes['returns.cagr'] = `extrapolated to a year from ${round2(days)} days`;
  const dd = drawdownStats(curve);
  let calmar: number | null = null;
  if (cagr.value === null) notes['returns.calmar'] = 'needs a valid CAGR (see returns.cagr)';
  else if (!(dd.maxDrawdown > 0)) notes['returns.calmar'] = 'no drawdown: CAGR / 0 is undefined';
  else calmar = cagr.value / dd.maxDrawdown;
  if (n === 0) notes['returns.totalReturn'] = 'the run has no candle steps';
  const returns: ReturnMetrics = {
    initialCash,
    finalEquity,
    netProfit: finalEquity - initialCash,
    totalReturn: n > 0 ? finalEquity / initialCash - 1 : null,
    cagr: cagr.value,
    volatility: rs.volatility,
    sharpe: rs.sharpe,
    sortino: rs.sortino,
    calmar,
    returnObservations: rs.observations,
    bestPeriodReturn: rs.best,
    worstPeriodReturn: rs.worst,
  };

  // --- drawdown ------------------------------------------------------------------------------------
  const hasDd = dd.maxDrawdown > 0;
  if (!hasDd) notes['drawdown.maxDrawdownCandles'] = 'equity never fell below a previous peak';
  const drawdown: DrawdownMetrics = {
    maxDrawdown: dd.maxDrawdown,
    maxDrawdownAbs: dd.maxDrawdownAbs,
    maxDrawdownCandles: dd.maxDrawdownCandles,
    maxDrawdownDays: dd.maxDrawdownDays,
    maxDrawdownPeakTs: hasDd ? markTimeOf(curve, dd.peakIndex) : null,
    maxDrawdownTroughTs: hasDd ? markTimeOf(curve, dd.troughIndex) : null,
    maxDrawdownRecoveryTs: hasDd && dd.recoveryIndex >= 0 ? markTimeOf(curve, dd.recoveryIndex) : null,
    maxDrawdownRecovered: hasDd ? dd.recoveryIndex >= 0 : null,
    longestDrawdownCandles: dd.longestDrawdownCandles,
    longestDrawdownDays: dd.longestDrawdownDays,
  };

  // --- exposure ------------------------------------------------------------------------------------
  let inMarket = 0, sumExp = 0, maxExp = 0;
  for (let i = 0; i < n; i++) {
    const x = exposures[i]!;
    if (x > 0) inMarket++;
    sumExp += x;
    if (x > maxExp) maxExp = x;
  }
  if (n === 0) notes['exposure.timeInMarket'] = 'the run has no candle steps';
  const exposure: ExposureMetrics = {
    timeInMarket: n > 0 ? inMarket / n : null,
    avgExposure: n > 0 ? sumExp / n : null,
    maxExposure: n > 0 ? maxExp : null,
  };

  // --- trades and costs ------------------------------------------------------------------------------
  const trades = tradeStats(input.trades, notes);
  const costs = costMetrics(input, notes);

  // --- buy and hold ------------------------------------------------------------------------------------
  const benchmark = benchmarkMetrics(input, returns.totalReturn, days, ppy, tfMs, notes);

  const sortedNotes: Record<string, string> = {};
  for (const k of Object.keys(notes).sort()) sortedNotes[k] = notes[k]!;
  return { schemaVersion: 1, period, returns, drawdown, exposure, trades, costs, benchmark, notes: sortedNotes };
}

function costMetrics(input: MetricsInput, notes: Record<string, string>): CostMetrics {
  let fees = 0, slippage = 0;
  for (const f of input.fills) {
    fees += f.fee;
    slippage += f.slippageCost;
  }
  let tradeFunding = 0, grossPnl = 0, netPnl = 0, tradeSlippage = 0, tradeFees = 0;
  for (const t of input.trades) {
    tradeFunding += t.funding;
    grossPnl += t.grossPnl;
    netPnl += t.netPnl;
    tradeSlippage += t.slippage;
    tradeFees += t.fees;
  }
  const funding = input.fundingTotal ?? tradeFunding;
  const cash = input.initialCash;
  const ofGross = (x: number): number | null => (grossPnl > 0 ? x / grossPnl : null);
  if (!(grossPnl > 0)) {
    const why = `gross PnL is ${grossPnl} (not positive): a cost as a share of it means nothing`;
    notes['costs.feesPctOfGrossPnl'] = why;
    notes['costs.slippagePctOfGrossPnl'] = why;
    notes['costs.fundingPctOfGrossPnl'] = why;
  }
  return {
    fees,
    slippage,
    funding,
    grossPnl,
    netPnl,
    // Trades' own costs, so the counterfactual and netPnl describe the same round trips.
    netPnlBeforeCosts: netPnl + tradeFees + tradeFunding + tradeSlippage,
    feesPctOfInitialCash: fees / cash,
    slippagePctOfInitialCash: slippage / cash,
    fundingPctOfInitialCash: funding / cash,
    feesPctOfGrossPnl: ofGross(fees),
    slippagePctOfGrossPnl: ofGross(slippage),
    fundingPctOfGrossPnl: ofGross(funding),
  };
}

function benchmarkMetrics(input: MetricsInput, strategyReturn: number | null, days: number, ppy: number, tfMs: number, notes: Record<string, string>): BenchmarkMetrics {
  const bh = buyAndHold({ closes: input.benchmarkCloses, ts: input.benchmarkTs });
  let cagr: number | null = null, maxDrawdown: number | null = null, sharpe: number | null = null;
  if (bh.totalReturn === null) {
    const why = bh.reason ?? 'buy-and-hold is not available';
    for (const k of ['totalReturn', 'cagr', 'maxDrawdown', 'sharpe', 'excessReturn']) notes[`benchmark.${k}`] = why;
  } else {
    const c = cagrOf(1, 1 + bh.totalReturn, days);
    cagr = c.value;
    if (c.reason) notes['benchmark.cagr'] = c.reason;
    if (bh.curve === null) {
      const why = bh.reason ?? 'no aligned buy-and-hold curve';
      notes['benchmark.maxDrawdown'] = why;
      notes['benchmark.sharpe'] = why;
    } else {
      const len = bh.curve.values.length;
      const cin: CurveInput = { values: bh.curve.values, ts: bh.curve.ts ?? new Float64Array(len), length: len, start: 1, timeframeMs: tfMs };
      maxDrawdown = drawdownStats(cin).maxDrawdown;
      const rs = ratioStats(cin, ppy);
      sharpe = rs.sharpe;
      if (rs.reasons.sharpe) notes['benchmark.sharpe'] = rs.reasons.sharpe;
    }
    if (strategyReturn === null) notes['benchmark.excessReturn'] = 'the strategy has no total return (no candle steps)';
  }
  const perSymbol: Record<string, number | null> = {};
  for (const s of bh.symbols) perSymbol[s] = bh.perSymbol[s] ?? null;
  return {
    method: 'equal_weight_buy_and_hold',
    symbols: bh.symbols,
    totalReturn: bh.totalReturn,
    cagr,
    maxDrawdown,
    sharpe,
    perSymbol,
    excessReturn: bh.totalReturn !== null && strategyReturn !== null ? strategyReturn - bh.totalReturn : null,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
