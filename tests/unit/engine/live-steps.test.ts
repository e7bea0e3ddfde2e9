import { describe, expect, it } from 'vitest';
import { liveSteps, type LateCandle } from '../../../src/app/live-steps.ts';
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
});
