import { describe, expect, it } from 'vitest';
import { computeMetrics, type MetricsInput } from '../../../src/reporting/metrics/compute-metrics.ts';
import { compound, DAY, HOUR, marks, T0, textbook } from './fixtures.ts';

const noBench = new Map<string, Float64Array>();

function metricsOf(values: number[], over: Partial<MetricsInput> = {}) {
  return computeMetrics({ equity: marks(values, HOUR), trades: [], fills: [], initialCash: 1000, timeframe: '1h', benchmarkCloses: noBench, ...over });
}

function expectRel(actual: number | null, expected: number, rel = 1e-9): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(Math.abs(expected) * rel);
}

// 40 per-candle returns with both signs: enough observations (>= 30) for the ratios.
const RETURNS = Array.from({ length: 40 }, (_, i) => [0.01, -0.005, 0.02, -0.015, 0.003][i % 5]! * (1 + (i % 7) / 10));

describe('return ratios', () => {
  it('computes total return, volatility, Sharpe and Sortino from per-candle returns, annualised for 1h', () => {
    const m = metricsOf(compound(1000, RETURNS));
    const { mean, sd, downside } = textbook(RETURNS);
    const P = 365 * 24;
    const final = RETURNS.reduce((v, r) => v * (1 + r), 1000);
    expectRel(m.returns.totalReturn, final / 1000 - 1);
    expect(m.returns.returnObservations).toBe(40);
    expectRel(m.returns.volatility, sd * Math.sqrt(P));
    expectRel(m.returns.sharpe, (mean / sd) * Math.sqrt(P));
    expectRel(m.returns.sortino, (mean / downside) * Math.sqrt(P));
    expectRel(m.returns.bestPeriodReturn, Math.max(...RETURNS));
    expectRel(m.returns.worstPeriodReturn, Math.min(...RETURNS));
  });

  it('annualises by the timeframe: the same returns on 1d candles give a Sharpe sqrt(24) times smaller than on 1h', () => {
    const values = compound(1000, RETURNS);
    const h = metricsOf(values);
    const d = computeMetrics({ equity: marks(values, DAY), trades: [], fills: [], initialCash: 1000, timeframe: '1d', benchmarkCloses: noBench });
    const { mean, sd } = textbook(RETURNS);
    expect(d.period.periodsPerYear).toBe(365);
    expect(h.period.periodsPerYear).toBe(8760);
    expectRel(d.returns.sharpe, (mean / sd) * Math.sqrt(365));
    expectRel(h.returns.sharpe! / d.returns.sharpe!, Math.sqrt(24));
    expectRel(h.returns.volatility! / d.returns.volatility!, Math.sqrt(24));
  });

  it('counts the first mark against the initial cash as a return', () => {
    // Equity jumps from 1000 (initial) to 1100 at the first mark: that +10 % is part of the series.
    const r = [0.1, ...RETURNS.slice(1)];
    const m = metricsOf(compound(1000, r));
    const { mean, sd } = textbook(r);
    expectRel(m.returns.sharpe, (mean / sd) * Math.sqrt(8760));
  });

  it('reports Sharpe, Sortino and volatility as not available with fewer than 30 returns', () => {
    const m = metricsOf(compound(1000, RETURNS.slice(0, 29)));
    expect(m.returns.sharpe).toBeNull();
    expect(m.returns.sortino).toBeNull();
    expect(m.returns.volatility).toBeNull();
    expect(m.notes['returns.sharpe']).toMatch(/at least 30/);
  });

  it('reports Sharpe as not available when volatility is zero (flat equity, or the same return every candle)', () => {
    const flat = metricsOf(new Array(100).fill(1000));
    expect(flat.returns.sharpe).toBeNull();
    expect(flat.returns.sortino).toBeNull();
    expect(flat.notes['returns.sharpe']).toMatch(/volatility is zero/);
    // Constant growth: the stdev is only floating-point noise; a Sharpe of 1e15 would be a lie.
    const steady = metricsOf(compound(1000, new Array(100).fill(0.001)));
    expect(steady.returns.sharpe).toBeNull();
  });

  it('reports Sortino as not available when no candle lost money', () => {
    const up = RETURNS.map((r) => Math.abs(r));
    const m = metricsOf(compound(1000, up));
    expect(m.returns.sharpe).not.toBeNull();
    expect(m.returns.sortino).toBeNull();
    expect(m.notes['returns.sortino']).toMatch(/no losing candle/);
  });

  it('reports CAGR (and Calmar) as not available for a 5-day run', () => {
    const m = metricsOf(compound(1000, RETURNS.concat(RETURNS, RETURNS).slice(0, 120))); // 120 h = 5 days
    expect(m.period.days).toBe(5);
    expect(m.returns.totalReturn).not.toBeNull();
    expect(m.returns.cagr).toBeNull();
    expect(m.returns.calmar).toBeNull();
    expect(m.notes['returns.cagr']).toMatch(/at least 30 days/);
  });

  it('computes CAGR over the run period and Calmar as CAGR / max drawdown', () => {
    // 400 daily candles: up 50 %, with one dip from 1200 to 900 on the way.
    const values = Array.from({ length: 400 }, (_, i) => (i === 399 ? 1500 : i === 100 ? 1200 : i === 101 ? 900 : 1000 + i));
    const m = computeMetrics({ equity: marks(values, DAY), trades: [], fills: [], initialCash: 1000, timeframe: '1d', benchmarkCloses: noBench });
    expect(m.period.days).toBe(400);
    expect(m.period.startTs).toBe(T0);
    expect(m.period.endTs).toBe(T0 + 400 * DAY);
    const cagr = Math.pow(1.5, 365 / 400) - 1;
    expectRel(m.returns.cagr, cagr);
    const maxDd = (1200 - 900) / 1200;
    expectRel(m.drawdown.maxDrawdown, maxDd);
    expectRel(m.returns.calmar, cagr / maxDd);
  });

  it('reports Calmar as not available when there was no drawdown', () => {
    const values = Array.from({ length: 60 }, (_, i) => 1000 + i);
    const m = computeMetrics({ equity: marks(values, DAY), trades: [], fills: [], initialCash: 1000, timeframe: '1d', benchmarkCloses: noBench });
    expect(m.returns.cagr).not.toBeNull();
    expect(m.returns.calmar).toBeNull();
    expect(m.notes['returns.calmar']).toMatch(/no drawdown/);
  });

  it('reports the return ratios as not available once equity reached zero', () => {
    const values = compound(1000, RETURNS);
    values[20] = 0;
    const m = metricsOf(values);
    expect(m.returns.sharpe).toBeNull();
    expect(m.notes['returns.sharpe']).toMatch(/zero or below/);
  });

  it('measures time in market as the share of steps with an open position', () => {
    const m = metricsOf([], { equity: marks(new Array(10).fill(1000), HOUR, [0, 0.5, 1, 0, 0, 0.25, 0, 0, 0, 0]) });
    expect(m.exposure.timeInMarket).toBe(3 / 10);
    expectRel(m.exposure.avgExposure, 1.75 / 10);
    expect(m.exposure.maxExposure).toBe(1);
  });

  it('gives a run without candle steps nulls and reasons, never NaN', () => {
    const m = metricsOf([]);
    expect(m.returns.totalReturn).toBeNull();
    expect(m.returns.cagr).toBeNull();
    expect(m.exposure.timeInMarket).toBeNull();
    const bad: string[] = [];
    const walk = (v: unknown, at: string): void => {
      if (typeof v === 'number' && !Number.isFinite(v)) bad.push(at);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    };
    walk(m, 'metrics');
    expect(bad).toEqual([]);
  });
});

describe('CAGR extrapolation guard', () => {
  it('reports CAGR as not available when a sub-year period would extrapolate past +1000 %/year, and keeps it over a year', () => {
    // 40 days doubling: 2^(365/40) - 1 = +55,000 %/year -> null.
    const short = computeMetrics({ equity: marks([...new Array(39).fill(1000), 2000], DAY), trades: [], fills: [], initialCash: 1000, timeframe: '1d', benchmarkCloses: noBench });
    expect(short.returns.totalReturn).toBe(1);
    expect(short.returns.cagr).toBeNull();
    expect(short.notes['returns.cagr']).toMatch(/extrapolation artefact/);
    // 200 days +50 %: 1.5^(365/200) - 1 = +109.7 %/year -> kept, with the extrapolation caveat.
    const mid = computeMetrics({ equity: marks([...new Array(199).fill(1000), 1500], DAY), trades: [], fills: [], initialCash: 1000, timeframe: '1d', benchmarkCloses: noBench });
    expectRel(mid.returns.cagr, Math.pow(1.5, 365 / 200) - 1);
    expect(mid.notes['returns.cagr']).toMatch(/extrapolated to a year from 200 days/);
    // Two years x 100: a real +900 %/year, reported.
    const long = computeMetrics({ equity: marks([...new Array(729).fill(1000), 100_000], DAY), trades: [], fills: [], initialCash: 1000, timeframe: '1d', benchmarkCloses: noBench });
    expectRel(long.returns.cagr, Math.pow(100, 365 / 730) - 1);
  });
});
