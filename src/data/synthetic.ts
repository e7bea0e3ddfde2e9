/**
 * Seeded synthetic candles for --dry-run and tests: an ordinary candle source (same shapes as the
 * store gives), deterministic per seed (src/core/rng.ts; no Math.random, no clock).
 *
 * Model, per bar of the chosen timeframe (docs/data.md "Synthetic generator"):
 *  - Market regime: a 3-state Markov chain shared by all symbols (crypto regimes are market-wide):
 *    trending (drift, sign drawn on entry), ranging (mean-reverting to the price at entry, low vol),
 *    volatile (high vol). Stay probability per bar = exp(-bar/meanDuration).
 *  - Volatility clustering: GARCH(1,1) on each symbol's standardized shock, h = w + a z^2 + b h
 *    with w = 1 - a - b (unconditional variance 1), times the regime's vol multiplier.
 *  - Correlation: one-factor model, shock = beta*f + sqrt(1-beta^2)*e, f shared, e idiosyncratic,
 *    so corr(i, j) ~ beta_i * beta_j.
 *  - OHLC: open = previous close; close from the log return; high/low from an intrabar Brownian
 *    bridge between open and close plus a small wick, so high >= max(o,c) and low <= min(o,c).
 *  - Volume: a price-level base x lognormal noise x (0.5 + |z|) x regime vol multiplier x sqrt(h),
 *    so it rises with |return| and with volatility.
 */
import { CtError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import type { Timeframe } from '../core/timeframe.ts';
import { timeframeMs } from '../core/timeframe.ts';
import type { Candle, CandleColumns } from '../domain/candle.ts';
import { emptyColumns } from '../domain/candle.ts';

export type Regime = 'trending' | 'ranging' | 'volatile';
export const REGIMES: readonly Regime[] = ['trending', 'ranging', 'volatile'];

export interface RegimeParams {
  /** Annualised drift magnitude (trending: sign drawn on entry). */
  readonly annualDrift: number;
  readonly volMultiplier: number;
  readonly meanDurationHours: number;
  /** Pull toward the entry price per hour (ranging). */
  readonly meanReversionPerHour: number;
}

export interface SyntheticParams {
  /** Annualised volatility of every symbol in a neutral regime. */
  readonly annualVol: number;
  readonly garchAlpha: number;
  readonly garchBeta: number;
  /** Factor loading range; each symbol gets a fixed beta in [min, max] from its name. */
  readonly betaMin: number;
  readonly betaMax: number;
  /** Intrabar path steps for high/low. */
  readonly pathSteps: number;
  /** Quote volume per hour at neutral vol (base volume = this / price). */
  readonly quoteVolumePerHour: number;
  readonly regimes: Readonly<Record<Regime, RegimeParams>>;
}

export const DEFAULT_SYNTHETIC_PARAMS: SyntheticParams = {
  annualVol: 0.6,
  garchAlpha: 0.08,
  garchBeta: 0.9,
  betaMin: 0.6,
  betaMax: 0.9,
  pathSteps: 6,
  quoteVolumePerHour: 50_000_000,
  regimes: {
    trending: { annualDrift: 1.5, volMultiplier: 0.9, meanDurationHours: 120, meanReversionPerHour: 0 },
    ranging: { annualDrift: 0, volMultiplier: 0.6, meanDurationHours: 168, meanReversionPerHour: 0.02 },
    volatile: { annualDrift: 0, volMultiplier: 2.2, meanDurationHours: 48, meanReversionPerHour: 0 },
  },
};

export interface SyntheticOptions {
  readonly seed: number;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  /** Open time of the first candle (UTC ms, on the timeframe grid). */
  readonly from: number;
  readonly params?: Partial<SyntheticParams>;
}

export interface SyntheticStep {
  readonly ts: number;
  readonly symbol: string;
  readonly candle: Candle;
}

const START_PRICES: Readonly<Record<string, number>> = { BTC: 30_000, ETH: 2_000, SOL: 100, BNB: 300, XRP: 0.5 };
const HOUR_MS = 3_600_000;
const YEAR_MS = 365 * 86_400_000;

/** FNV-1a of a string into [0, 1): fixed per-symbol traits that do not depend on symbol order. */
function hash01(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h / 4294967296;
}

function startPrice(symbol: string): number {
  const base = symbol.split('/')[0]!;
  return START_PRICES[base] ?? Math.round(10 ** (hash01(base) * 3)) + 1;
}

/** The generator state machine: one call to step() makes the next bar for every symbol. */
export class SyntheticMarket {
  readonly params: SyntheticParams;
  readonly tfMs: number;
  private readonly rng: Rng;
  private readonly symbols: readonly string[];
  private readonly beta: Float64Array;
  private readonly logPrice: Float64Array;
  private readonly h: Float64Array;
  private readonly lastZ: Float64Array;
  private readonly sigmaBar: number;
  private readonly stay: Float64Array;
  private regimeIdx = 1;
  private trendSign = 1;
  private anchor: Float64Array;
  private nextTs: number;

  constructor(opts: SyntheticOptions) {
    this.params = { ...DEFAULT_SYNTHETIC_PARAMS, ...(opts.params ?? {}) };
    this.tfMs = timeframeMs(opts.timeframe);
    if (!Number.isInteger(opts.from) || opts.from % this.tfMs !== 0) {
      throw new CtError('CT_ERR_USAGE', `synthetic: from ${opts.from} is not on the ${opts.timeframe} grid`, { details: { from: opts.from } });
    }
    if (opts.symbols.length === 0) throw new CtError('CT_ERR_USAGE', 'synthetic: at least one symbol is needed');
    this.rng = new Rng(opts.seed);
    this.symbols = [...opts.symbols];
    const n = this.symbols.length;
    const p = this.params;
    this.beta = Float64Array.from(this.symbols, (s) => p.betaMin + (p.betaMax - p.betaMin) * hash01(`beta:${s}`));
    this.logPrice = Float64Array.from(this.symbols, (s) => Math.log(startPrice(s)));
    this.anchor = Float64Array.from(this.logPrice);
    this.h = new Float64Array(n).fill(1);
    this.lastZ = new Float64Array(n);
    this.sigmaBar = p.annualVol * Math.sqrt(this.tfMs / YEAR_MS);
    this.stay = Float64Array.from(REGIMES, (r) => Math.exp(-this.tfMs / (p.regimes[r].meanDurationHours * HOUR_MS)));
    this.nextTs = opts.from;
  }

  get regime(): Regime {
    return REGIMES[this.regimeIdx]!;
  }

  /** Open time of the bar the next step() produces. */
  get ts(): number {
    return this.nextTs;
  }

  /** Makes the next bar; `out[i]` receives symbol i's candle. Returns its open time. */
  step(out: Candle[]): number {
    const p = this.params, rng = this.rng, n = this.symbols.length;
    // Regime transition (one uniform, plus one to pick the new state / trend sign).
    if (rng.next() >= this.stay[this.regimeIdx]!) {
      this.regimeIdx = (this.regimeIdx + 1 + rng.int(2)) % 3;
      this.trendSign = rng.next() < 0.5 ? -1 : 1;
      this.anchor.set(this.logPrice);
    }
    const reg = p.regimes[REGIMES[this.regimeIdx]!];
    const barHours = this.tfMs / HOUR_MS;
    const drift = (this.regimeIdx === 0 ? this.trendSign : 0) * reg.annualDrift * (this.tfMs / YEAR_MS);
    const kappa = 1 - Math.exp(-reg.meanReversionPerHour * barHours);
    const f = rng.normal();
    const w = 1 - p.garchAlpha - p.garchBeta;
    const ts = this.nextTs;
    for (let i = 0; i < n; i++) {
      const h = w + p.garchAlpha * this.lastZ[i]! * this.lastZ[i]! + p.garchBeta * this.h[i]!;
      this.h[i] = h;
      const b = this.beta[i]!;
      const z = b * f + Math.sqrt(1 - b * b) * rng.normal();
      this.lastZ[i] = z;
      const sigma = this.sigmaBar * reg.volMultiplier * Math.sqrt(h);
      const lo = this.logPrice[i]!;
      const lc = lo + drift - kappa * (lo - this.anchor[i]!) + sigma * z - 0.5 * sigma * sigma;
      // Brownian bridge from lo to lc for the intrabar extremes.
      const steps = p.pathSteps;
      const stepSd = sigma / Math.sqrt(steps);
      let x = lo, maxX = Math.max(lo, lc), minX = Math.min(lo, lc);
      for (let s = 1; s < steps; s++) {
        x += (lc - x) / (steps - s + 1) + stepSd * rng.normal();
        if (x > maxX) maxX = x;
        if (x < minX) minX = x;
      }
      const wickUp = Math.abs(rng.normal()) * sigma * 0.1;
      const wickDown = Math.abs(rng.normal()) * sigma * 0.1;
      const open = Math.exp(lo), close = Math.exp(lc);
      const high = Math.max(Math.exp(maxX + wickUp), open, close);
      const low = Math.min(Math.exp(minX - wickDown), open, close);
      const baseVolume = (p.quoteVolumePerHour * barHours) / open;
      const volume = baseVolume * Math.exp(0.3 * rng.normal()) * (0.5 + Math.abs(z)) * reg.volMultiplier * Math.sqrt(h);
      out[i] = { ts, open, high, low, close, volume };
      this.logPrice[i] = lc;
    }
    this.nextTs += this.tfMs;
    return ts;
  }

  get symbolList(): readonly string[] {
    return this.symbols;
  }
}

/**
 * `count` bars (or bars with open time < `to`) for each symbol, as columns per symbol.
 * The same options always give byte-identical arrays.
 */
export function generateSynthetic(opts: SyntheticOptions & { count?: number; to?: number }): Map<string, CandleColumns> {
  const market = new SyntheticMarket(opts);
  const count = opts.count ?? (opts.to !== undefined ? Math.max(0, Math.ceil((opts.to - opts.from) / market.tfMs)) : 0);
  const cols = opts.symbols.map(() => emptyColumns(count));
  const bar: Candle[] = [];
  for (let k = 0; k < count; k++) {
    market.step(bar);
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!, b = bar[i]!;
      c.ts[k] = b.ts;
      c.open[k] = b.open;
      c.high[k] = b.high;
      c.low[k] = b.low;
      c.close[k] = b.close;
      c.volume[k] = b.volume;
    }
  }
  const out = new Map<string, CandleColumns>();
  opts.symbols.forEach((s, i) => out.set(s, { ...cols[i]!, length: count }));
  return out;
}

/**
 * The same candles as generateSynthetic, as a stream of steps in time order (all symbols of a
 * bar, in the order given, before the next bar). Endless unless `count` or `to` is given.
 */
export async function* syntheticSteps(opts: SyntheticOptions & { count?: number; to?: number }): AsyncGenerator<SyntheticStep> {
  const market = new SyntheticMarket(opts);
  const bar: Candle[] = [];
  for (let k = 0; opts.count === undefined || k < opts.count; k++) {
    if (opts.to !== undefined && market.ts >= opts.to) return;
    const ts = market.step(bar);
    for (let i = 0; i < opts.symbols.length; i++) yield { ts, symbol: opts.symbols[i]!, candle: bar[i]! };
  }
}
