import { nanArray, requirePeriod, withWarmup } from './params.ts';
import { RollingMoments } from './rolling-moments.ts';

/**
 * Rolling z-score: z = (x - mean_n) / std_n with the POPULATION standard deviation of the last n
 * values including the current one (same window as Bollinger's middle band and width), and
 * z = 0 when the window is flat (all n values equal). TA-Lib has no such function.
 */

/** Streaming z-score. */
export class ZscoreStream {
  readonly warmup: number;
  private readonly m: RollingMoments;
  private last = NaN;

  constructor(n: number, name = 'ZscoreStream') {
    requirePeriod(name, 'n', n, 2);
    this.warmup = n;
    this.m = new RollingMoments(n);
  }

  update(v: number): number {
    const m = this.m;
    m.push(v);
    if (m.full) this.last = m.flat ? 0 : m.deviation(v) / Math.sqrt(m.populationVariance);
    return this.last;
  }

  get value(): number { return this.last; }
  get ready(): boolean { return this.m.full; }
  reset(): void { this.m.reset(); this.last = NaN; }
}

/** Streaming z-score of volume (same maths as ZscoreStream; separate name for strategy code). */
export class VolumeZscoreStream extends ZscoreStream {
  constructor(n: number) {
    super(n, 'VolumeZscoreStream');
  }
}

function zscoreBatch(name: string, x: ArrayLike<number>, n: number): Float64Array {
  const s = new ZscoreStream(n, name);
  const len = x.length;
  const out = nanArray(len);
  for (let i = 0; i < len; i++) out[i] = s.update(x[i]!);
  return out;
}

export const zscore = withWarmup(
  function zscore(x: ArrayLike<number>, n: number): Float64Array {
    return zscoreBatch('zscore', x, n);
  },
  (n: number): number => n,
);

/** z-score of volume against its last n bars (current bar included). */
export const volumeZscore = withWarmup(
  function volumeZscore(v: ArrayLike<number>, n: number): Float64Array {
    return zscoreBatch('volumeZscore', v, n);
  },
  (n: number): number => n,
);
