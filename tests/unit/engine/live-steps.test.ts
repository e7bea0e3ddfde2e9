import { describe, expect, it } from 'vitest';
import { liveSteps, type LateCandle, type LiveBackfill, type LiveItem } from '../../../src/app/live-steps.ts';
import { SimulatedClock, WallClock } from '../../../src/core/clock.ts';
import type { Candle } from '../../../src/domain/candle.ts';
import type { CandleStep } from '../../../src/domain/candle-batch.ts';

const M = 60_000;
const c = (ts: number, close = 100): Candle => ({ ts, open: close, high: close + 1, low: close - 1, close, volume: 1 });

/** A feed that yields the given arrivals; a number is a pause in ms. */
async function* feed(arrivals: ReadonlyArray<{ symbol: string; candle: Candle } | number>): AsyncGenerator<{ symbol: string; candle: Candle }> {
  for (const a of arrivals) {
    if (typeof a === 'number') await new Promise((r) => setTimeout(r, a));
    else yield a;
  }
}

async function collect(arrivals: Parameters<typeof feed>[0], graceMs = 1000): Promise<{ steps: CandleStep[]; late: LateCandle[] }> {
  const steps: CandleStep[] = [];
  const late: LateCandle[] = [];
  for await (const s of liveSteps(feed(arrivals), ['BTC/USDT', 'ETH/USDT'], { graceMs, clock: new WallClock(), onLate: (l) => late.push(l) })) steps.push(s);
  return { steps, late };
}

const shape = (steps: CandleStep[]): Array<[number, string[]]> => steps.map((s) => [s.ts / M, s.candles.map((x) => x.symbol)]);

describe('live candles into loop steps', () => {
  it('keeps both symbols in one step when one symbol runs a candle ahead of the other', async () => {
    const { steps, late } = await collect([
      { symbol: 'BTC/USDT', candle: c(0) }, { symbol: 'BTC/USDT', candle: c(M) },
      { symbol: 'ETH/USDT', candle: c(0) }, { symbol: 'ETH/USDT', candle: c(M) },
      { symbol: 'ETH/USDT', candle: c(2 * M) }, { symbol: 'BTC/USDT', candle: c(2 * M) },
    ]);
    expect(shape(steps)).toEqual([[0, ['BTC/USDT', 'ETH/USDT']], [1, ['BTC/USDT', 'ETH/USDT']], [2, ['BTC/USDT', 'ETH/USDT']]]);
    expect(late).toEqual([]);
  });

  it('emits a step without a symbol that skipped that candle, once the symbol shows a newer one', async () => {
    const { steps } = await collect([
      { symbol: 'BTC/USDT', candle: c(0) }, { symbol: 'ETH/USDT', candle: c(0) },
      { symbol: 'BTC/USDT', candle: c(M) }, { symbol: 'ETH/USDT', candle: c(2 * M) }, { symbol: 'BTC/USDT', candle: c(2 * M) },
    ]);
    expect(shape(steps)).toEqual([[0, ['BTC/USDT', 'ETH/USDT']], [1, ['BTC/USDT']], [2, ['BTC/USDT', 'ETH/USDT']]]);
  });

  it('does not wait forever for a silent symbol, and reports (never re-emits) a candle that comes after its step', async () => {
    const t0 = Date.now();
    const { steps, late } = await collect([
      { symbol: 'BTC/USDT', candle: c(0) }, 150,
      { symbol: 'ETH/USDT', candle: c(0) }, { symbol: 'BTC/USDT', candle: c(M) }, { symbol: 'ETH/USDT', candle: c(M) },
    ], 50);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(shape(steps)).toEqual([[0, ['BTC/USDT']], [1, ['BTC/USDT', 'ETH/USDT']]]);
    expect(late).toEqual([{ symbol: 'ETH/USDT', ts: 0, lastStepTs: 0 }]);
  });

  it('hands over what is pending when the feed ends', async () => {
    const { steps } = await collect([{ symbol: 'BTC/USDT', candle: c(0) }, { symbol: 'BTC/USDT', candle: c(M) }]);
    expect(shape(steps)).toEqual([[0, ['BTC/USDT']], [1, ['BTC/USDT']]]);
  });

  it('measures the grace period on the injected clock, not the wall clock', async () => {
    const clock = new SimulatedClock(0);
    let arrive: (() => void) | undefined;
    const blocked = new Promise<void>((r) => { arrive = r; });
    async function* arrivals(): AsyncGenerator<{ symbol: string; candle: Candle }> {
      yield { symbol: 'BTC/USDT', candle: c(0) };
      await blocked; // ETH/USDT is late; nothing else arrives until the test says so
      yield { symbol: 'ETH/USDT', candle: c(M) };
      yield { symbol: 'BTC/USDT', candle: c(M) };
    }
    const steps: CandleStep[] = [];
    const done = (async () => {
      for await (const s of liveSteps(arrivals(), ['BTC/USDT', 'ETH/USDT'], { graceMs: 60_000, clock })) steps.push(s);
    })();
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));
    await settle();
    clock.advanceTo(59_999);
    await settle();
    expect(steps).toEqual([]); // a minute of grace has not passed on the clock, however long the test took
    clock.advanceTo(60_000);
    await settle();
    expect(shape(steps)).toEqual([[0, ['BTC/USDT']]]);
    arrive!();
    await done;
    expect(shape(steps)).toEqual([[0, ['BTC/USDT']], [1, ['BTC/USDT', 'ETH/USDT']]]);
  });

  describe('with a feed that can backfill', () => {
    /** A feed the test pushes items into; it records what the steps asked it to backfill. */
    function controlledFeed(): { items: AsyncGenerator<LiveItem>; push(i: LiveItem): void; end(): void; asked: Array<[string, number]>; backfill: LiveBackfill } {
      const queue: Array<LiveItem | 'end'> = [];
      let wake: (() => void) | undefined;
      const asked: Array<[string, number]> = [];
      async function* items(): AsyncGenerator<LiveItem> {
        for (;;) {
          while (queue.length === 0) await new Promise<void>((r) => { wake = r; });
          const i = queue.shift()!;
          if (i === 'end') return;
          yield i;
        }
      }
      const put = (i: LiveItem | 'end'): void => { queue.push(i); wake?.(); };
      return { items: items(), push: put, end: () => put('end'), asked, backfill: { ensureThrough: (s, ts) => { asked.push([s, ts]); } } };
    }
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

    it('asks the feed for a late symbol when the grace runs out and trades no step before it arrives', async () => {
      const clock = new SimulatedClock(0);
      const f = controlledFeed();
      const steps: CandleStep[] = [];
      const done = (async () => {
        for await (const s of liveSteps(f.items, ['BTC/USDT', 'ETH/USDT'], { graceMs: 1000, clock, backfill: f.backfill })) steps.push(s);
      })();
      f.push({ symbol: 'ETH/USDT', candle: c(0) });
      f.push({ symbol: 'ETH/USDT', candle: c(M) });
      await settle();
      clock.advanceTo(1000);
      await settle();
      expect(f.asked).toEqual([['BTC/USDT', 0]]);
      // However long the backfill takes, neither step 0 nor the later step 1 is traded without BTC.
      clock.advanceTo(100_000);
      await settle();
      expect(steps).toEqual([]);
      expect(f.asked).toEqual([['BTC/USDT', 0]]);
      f.push({ symbol: 'BTC/USDT', candle: c(0) });
      f.push({ symbol: 'BTC/USDT', candle: c(M) });
      await settle();
      expect(shape(steps)).toEqual([[0, ['BTC/USDT', 'ETH/USDT']], [1, ['BTC/USDT', 'ETH/USDT']]]);
      f.end();
      await done;
    });

    it('trades a step without a symbol only when the feed says the exchange has no candle for it', async () => {
      const clock = new SimulatedClock(0);
      const f = controlledFeed();
      const steps: CandleStep[] = [];
      const late: LateCandle[] = [];
      const done = (async () => {
        for await (const s of liveSteps(f.items, ['BTC/USDT', 'ETH/USDT'], { graceMs: 1000, clock, backfill: f.backfill, onLate: (l) => late.push(l) })) steps.push(s);
      })();
      f.push({ symbol: 'BTC/USDT', candle: c(0) });
      f.push({ symbol: 'ETH/USDT', candle: c(0) });
      f.push({ symbol: 'BTC/USDT', candle: c(M) });
      await settle();
      expect(shape(steps)).toEqual([[0, ['BTC/USDT', 'ETH/USDT']]]);
      clock.advanceTo(5000);
      await settle();
      expect(f.asked).toEqual([['ETH/USDT', M]]);
      expect(steps).toHaveLength(1);
      f.push({ symbol: 'ETH/USDT', settledThrough: M });
      await settle();
      expect(shape(steps)).toEqual([[0, ['BTC/USDT', 'ETH/USDT']], [1, ['BTC/USDT']]]);
      f.push({ symbol: 'ETH/USDT', candle: c(2 * M) });
      f.push({ symbol: 'BTC/USDT', candle: c(2 * M) });
      f.end();
      await done;
      expect(shape(steps)).toEqual([[0, ['BTC/USDT', 'ETH/USDT']], [1, ['BTC/USDT']], [2, ['BTC/USDT', 'ETH/USDT']]]);
      expect(late).toEqual([]);
    });
  });
});
