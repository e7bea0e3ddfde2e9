import { periodsPerYear } from '../core/timeframe.ts';
import {
  AdxStream, AtrStream, BollingerStream, DonchianStream, EmaStream, MacdStream, RealizedVolStream, RocStream, RsiStream,
  SmaStream, StochStream, VolumeZscoreStream, WmaStream, ZscoreStream,
} from '../indicators/index.ts';
import type { IndicatorAccess, PriceSource, Series, SeriesOptions, SourceOptions } from './contract.ts';
import type { Feed, FeedListener } from './feed.ts';
import { GrowableSeries } from './growable.ts';

/**
 * ctx.ind: indicators as cached incremental streams from src/indicators, one per
 * (symbol, timeframe, indicator, parameters, source) — computed ONCE per closed candle whether or
 * not the strategy reads it that candle, never recomputed over the whole history. On first use a
 * stream is created and fed the feed's history so far (a one-off O(history) catch-up).
 */

/** Resolves the feed an indicator reads (the runtime supplies it: base or resampled). */
export type FeedResolver = (o: SeriesOptions | undefined) => Feed;

const SRC_INDEX: Record<PriceSource, number> = { open: 0, high: 1, low: 2, close: 3, volume: 4 };

/** A stream with one numeric input taken from a candle field. */
interface OneInput { update(x: number): number }
/** A stream on high/low/close. */
interface HlcInput { update(h: number, l: number, c: number): number }

function pickSource(src: number, o: number, h: number, l: number, c: number, v: number): number {
  return src === 3 ? c : src === 0 ? o : src === 1 ? h : src === 2 ? l : v;
}

class OneInputListener implements FeedListener {
  readonly out = new GrowableSeries();
  constructor(private readonly s: OneInput, private readonly src: number) {}
  update(o: number, h: number, l: number, c: number, v: number): void {
    this.out.push(this.s.update(pickSource(this.src, o, h, l, c, v)));
  }
}

class HlcListener implements FeedListener {
  readonly out = new GrowableSeries();
  constructor(private readonly s: HlcInput) {}
  update(_o: number, h: number, l: number, c: number): void {
    this.out.push(this.s.update(h, l, c));
  }
}

/** Multi-output streams: after each update, each output reads its getter. */
class MultiListener<K extends string> implements FeedListener {
  readonly outs: Record<K, GrowableSeries>;
  private readonly series: GrowableSeries[];
  constructor(
    private readonly step: (o: number, h: number, l: number, c: number, v: number) => void,
    private readonly getters: ReadonlyArray<readonly [K, () => number]>,
  ) {
    this.outs = {} as Record<K, GrowableSeries>;
    this.series = [];
    for (const [k] of getters) {
      const s = new GrowableSeries();
      this.outs[k] = s;
      this.series.push(s);
    }
  }
  update(o: number, h: number, l: number, c: number, v: number): void {
    this.step(o, h, l, c, v);
    const g = this.getters;
    for (let i = 0; i < g.length; i++) this.series[i]!.push(g[i]![1]());
  }
}

function sourceOf(o: SourceOptions | undefined): number {
  return SRC_INDEX[o?.source ?? 'close'] ?? 3;
}

export function createIndicatorAccess(resolve: FeedResolver): IndicatorAccess {
  function cached<T>(o: SeriesOptions | undefined, key: string, make: (feed: Feed) => { listener: FeedListener; result: T }): T {
    const feed = resolve(o);
    const hit = feed.cache.get(key);
    if (hit !== undefined) return hit as T;
    const { listener, result } = make(feed);
    feed.attach(listener);
    feed.cache.set(key, result);
    return result;
  }
  function one(name: string, n: number, o: SourceOptions | undefined, make: () => OneInput): Series {
    const src = sourceOf(o);
    return cached(o, `${name}(${n})@${src}`, () => {
      const l = new OneInputListener(make(), src);
      return { listener: l, result: l.out };
    });
  }
  function hlc(name: string, n: number, o: SeriesOptions | undefined, make: () => HlcInput): Series {
    return cached(o, `${name}(${n})`, () => {
      const l = new HlcListener(make());
      return { listener: l, result: l.out };
    });
  }
  return {
    sma: (n, o) => one('sma', n, o, () => new SmaStream(n)),
    ema: (n, o) => one('ema', n, o, () => new EmaStream(n)),
    wma: (n, o) => one('wma', n, o, () => new WmaStream(n)),
    rsi: (n, o) => one('rsi', n, o, () => new RsiStream(n)),
    roc: (n, o) => one('roc', n, o, () => new RocStream(n)),
    zscore: (n, o) => one('zscore', n, o, () => new ZscoreStream(n)),
    atr: (n, o) => hlc('atr', n, o, () => new AtrStream(n)),
    realizedVol: (n, o) =>
      cached(o, `realizedVol(${n})`, (feed) => {
        const l = new OneInputListener(new RealizedVolStream(n, periodsPerYear(feed.timeframe)), SRC_INDEX.close);
        return { listener: l, result: l.out as Series };
      }),
    volumeZscore: (n, o) =>
      cached(o, `volumeZscore(${n})`, () => {
        const l = new OneInputListener(new VolumeZscoreStream(n), SRC_INDEX.volume);
        return { listener: l, result: l.out as Series };
      }),
    macd: (fast, slow, signal, o) => {
      const src = sourceOf(o);
      return cached(o, `macd(${fast},${slow},${signal})@${src}`, () => {
        const s = new MacdStream(fast, slow, signal);
        const l = new MultiListener((op, h, lo, c, v) => { s.update(pickSource(src, op, h, lo, c, v)); }, [
          ['macd', () => s.macd], ['signal', () => s.signal], ['hist', () => s.hist],
        ] as const);
        return { listener: l, result: Object.freeze({ ...l.outs }) };
      });
    },
    bollinger: (n, k, o) => {
      const src = sourceOf(o);
      return cached(o, `bollinger(${n},${k})@${src}`, () => {
        const s = new BollingerStream(n, k);
        const l = new MultiListener((op, h, lo, c, v) => { s.update(pickSource(src, op, h, lo, c, v)); }, [
          ['upper', () => s.upper], ['middle', () => s.middle], ['lower', () => s.lower],
          ['bandwidth', () => s.bandwidth], ['percentB', () => s.percentB],
        ] as const);
        return { listener: l, result: Object.freeze({ ...l.outs }) };
      });
    },
    adx: (n, o) =>
      cached(o, `adx(${n})`, () => {
        const s = new AdxStream(n);
        const l = new MultiListener((_op, h, lo, c) => { s.update(h, lo, c); }, [
          ['adx', () => s.adx], ['plusDi', () => s.plusDi], ['minusDi', () => s.minusDi],
        ] as const);
        return { listener: l, result: Object.freeze({ ...l.outs }) };
      }),
    donchian: (n, o) =>
      cached(o, `donchian(${n})`, () => {
        const s = new DonchianStream(n);
        const l = new MultiListener((_op, h, lo) => { s.update(h, lo); }, [
          ['upper', () => s.upper], ['lower', () => s.lower], ['middle', () => s.middle],
        ] as const);
        return { listener: l, result: Object.freeze({ ...l.outs }) };
      }),
    stoch: (kPeriod, kSmooth, dPeriod, o) =>
      cached(o, `stoch(${kPeriod},${kSmooth},${dPeriod})`, () => {
        const s = new StochStream(kPeriod, kSmooth, dPeriod);
        const l = new MultiListener((_op, h, lo, c) => { s.update(h, lo, c); }, [['k', () => s.k], ['d', () => s.d]] as const);
        return { listener: l, result: Object.freeze({ ...l.outs }) };
      }),
  };
}
