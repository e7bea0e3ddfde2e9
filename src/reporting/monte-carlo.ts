/**
 * Monte Carlo robustness of a backtest's trades (the report's "Monte Carlo" section): how much of
 * the result is the luck of the order and of the particular trades that happened.
 *
 * Each trade becomes a return on the account: its net PnL over the closed-trade equity before it
 * (trades in exit order, from the initial cash). Then, `runs` times each:
 *  - reshuffle: the same returns in a random order. The final equity is the same product in every
 *    order (a sanity check the tests make); only the path, and so the drawdown, changes;
 *  - bootstrap: as many returns drawn with replacement: other plausible sets of trades.
 * Drawdowns here are on the closed-trade equity path, so the "observed" one they are compared
 * with is the same measure on the actual order (the mark-to-market curve's is deeper: it also
 * sees open-trade swings; the report shows both).
 *
 * Seeded (src/core/rng.ts): the same trades, runs and seed give the same numbers.
 */
import { Rng } from '../core/rng.ts';

export const MC_PERCENTILES = [5, 25, 50, 75, 95] as const;

export interface MonteCarloInput {
  readonly initialCash: number;
  /** Net PnL per trade in quote currency, in exit order. */
  readonly tradePnls: readonly number[];
  readonly runs: number;
  readonly seed: number;
}

export interface MonteCarloDistribution {
  /** Percentiles MC_PERCENTILES of the simulated final equity and max drawdown (a positive fraction). */
  readonly finalEquity: readonly number[];
  readonly maxDrawdown: readonly number[];
  /** Share of simulations whose max drawdown is larger than the observed closed-trade one. */
  readonly probDrawdownAboveObserved: number;
}

export interface MonteCarloResult {
  readonly runs: number;
  readonly seed: number;
  readonly trades: number;
  /** Final equity and closed-trade max drawdown of the actual order. */
  readonly observedFinalEquity: number;
  readonly observedMaxDrawdown: number;
  readonly reshuffle: MonteCarloDistribution;
  readonly bootstrap: MonteCarloDistribution;
}

/** Null when there is nothing to simulate (no trades, no runs, or no positive starting cash). */
export function monteCarlo(inp: MonteCarloInput): MonteCarloResult | null {
  const n = inp.tradePnls.length;
  if (n === 0 || inp.runs <= 0 || !(inp.initialCash > 0)) return null;
  const returns = tradeReturns(inp.initialCash, inp.tradePnls);
  const observed = path(inp.initialCash, returns);
  const rng = new Rng(inp.seed);
  const work = new Float64Array(n);
  const reshuffleEq = new Float64Array(inp.runs), reshuffleDd = new Float64Array(inp.runs);
  const bootEq = new Float64Array(inp.runs), bootDd = new Float64Array(inp.runs);
  for (let r = 0; r < inp.runs; r++) {
    work.set(returns);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      const t = work[i]!;
      work[i] = work[j]!;
      work[j] = t;
    }
    const a = path(inp.initialCash, work);
    reshuffleEq[r] = a.final;
    reshuffleDd[r] = a.maxDrawdown;
  }
  for (let r = 0; r < inp.runs; r++) {
    for (let i = 0; i < n; i++) work[i] = returns[Math.floor(rng.next() * n)]!;
    const b = path(inp.initialCash, work);
    bootEq[r] = b.final;
    bootDd[r] = b.maxDrawdown;
  }
  return {
    runs: inp.runs, seed: inp.seed, trades: n,
    observedFinalEquity: observed.final,
    observedMaxDrawdown: observed.maxDrawdown,
    reshuffle: distribution(reshuffleEq, reshuffleDd, observed.maxDrawdown),
    bootstrap: distribution(bootEq, bootDd, observed.maxDrawdown),
  };
}

/** Each trade's PnL over the closed-trade equity before it; a trade that took the account to or below 0 is -100 %. */
export function tradeReturns(initialCash: number, pnls: readonly number[]): Float64Array {
  const out = new Float64Array(pnls.length);
  let eq = initialCash;
  for (let i = 0; i < pnls.length; i++) {
    out[i] = eq > 0 ? Math.max(-1, pnls[i]! / eq) : 0;
    eq += pnls[i]!;
  }
  return out;
}

function path(start: number, returns: ArrayLike<number>): { final: number; maxDrawdown: number } {
  let eq = start, peak = start, dd = 0;
  for (let i = 0; i < returns.length; i++) {
    eq *= 1 + returns[i]!;
    if (eq > peak) peak = eq;
    else if (peak > 0) dd = Math.max(dd, (peak - eq) / peak);
  }
  return { final: eq, maxDrawdown: dd };
}

function distribution(eq: Float64Array, dd: Float64Array, observedDd: number): MonteCarloDistribution {
  let above = 0;
  // A tolerance so the actual order's own drawdown, recomputed in another order of multiplication, does not count as "above".
  for (const d of dd) if (d > observedDd + 1e-12) above++;
  eq.sort();
  dd.sort();
  return {
    finalEquity: MC_PERCENTILES.map((p) => percentile(eq, p)),
    maxDrawdown: MC_PERCENTILES.map((p) => percentile(dd, p)),
    probDrawdownAboveObserved: above / dd.length,
  };
}

/** Linear interpolation between closest ranks of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const x = (p / 100) * (n - 1);
  const lo = Math.floor(x), hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (x - lo);
}
