import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import type { Signal } from '../../../src/domain/signal.ts';
import { StrategyRunner } from '../../../src/strategies/runner.ts';
import { HostGroup } from '../../../src/workers/host-group.ts';
import { createStrategyHost } from '../../../src/workers/host-factory.ts';
import type { Isolation, StrategyHost } from '../../../src/workers/strategy-host.ts';
import { SERIES_SOURCES } from '../../support/candle-series.ts';
import { batchesOf, builtinSpec, multiBatches, perStep } from './helpers/batches.ts';

/** Candles per run: all 4,320 of the synthetic series, the first 6,000 of the real one. */
const MAX_ROWS = 6000;

/** The reference: the runner itself, in this thread, one candle batch per step. */
async function reference(spec: ReturnType<typeof builtinSpec>, batches: ReturnType<typeof batchesOf>): Promise<Signal[]> {
  const r = await StrategyRunner.create(spec);
  const out: Signal[] = [];
  for (const b of perStep(batches)) out.push(...r.processBatch(b));
  out.push(...r.finish());
  return out;
}

async function viaHost(isolation: Isolation, spec: ReturnType<typeof builtinSpec>, batches: ReturnType<typeof batchesOf>): Promise<Signal[]> {
  const host = createStrategyHost(spec, { isolation });
  try {
    await host.start();
    const out: Signal[] = [];
    for (const b of batches) out.push(...(await host.processBatch(b)));
    out.push(...(await host.finish()));
    return out;
  } finally {
    await host.stop();
  }
}

for (const source of SERIES_SOURCES) {
  describe.skipIf(!source.available)(`identical signals whatever the isolation mode (BTC/USDT 1h, simple_ma, ${source.name})`, () => {
    const spec = builtinSpec('simple_ma');
    let expected: Signal[];
    let btc: CandleColumns;
    let n: number;
    beforeAll(async () => {
      btc = source.series('BTC/USDT');
      n = Math.min(MAX_ROWS, btc.length);
      expected = await reference(spec, batchesOf('BTC/USDT', btc, n, n));
    });

    it('the reference run produces crossings to compare (the test is not vacuous)', () => {
      expect(expected.length).toBeGreaterThan(50);
      expect(expected.map((s) => s.kind)).toContain('exit');
    });

    for (const isolation of ['inline', 'process', 'worker'] as const) {
      it(`${isolation}: batches of 1000 candles give the same signals, in the same order, frozen`, async () => {
        const got = await viaHost(isolation, spec, batchesOf('BTC/USDT', btc, n, 1000));
        expect(got).toEqual(expected);
        expect(got.every((s) => Object.isFrozen(s) && Object.isFrozen(s.indicators))).toBe(true);
      });
    }

    it('process: one batch larger than the guest chunk size gives the same signals', async () => {
      expect(await viaHost('process', spec, batchesOf('BTC/USDT', btc, n, n))).toEqual(expected);
    });
  });

  describe.skipIf(!source.available)(`HostGroup merges signals of several strategies in the inline loop order (${source.name})`, () => {
    const specs = [
      builtinSpec('simple_ma', 'sma', { fast: 10, slow: 30 }, ['BTC/USDT', 'ETH/USDT']),
      builtinSpec('ema_cross', 'ema', {}, ['BTC/USDT', 'ETH/USDT']),
      builtinSpec('rsi_reversion', 'rsi', {}, ['BTC/USDT', 'ETH/USDT']),
    ];
    let batches: ReturnType<typeof multiBatches>;
    let expected: Signal[];
    let group: HostGroup | undefined;

    beforeAll(async () => {
      const series = [
        { symbol: 'BTC/USDT', c: source.series('BTC/USDT') },
        { symbol: 'ETH/USDT', c: source.series('ETH/USDT') },
      ];
      batches = multiBatches(series, 3000, 1500);
      // What an inline loop does: for each step, strategy 0, then 1, then 2.
      const runners = await Promise.all(specs.map((s) => StrategyRunner.create(s)));
      expected = [];
      for (const step of perStep(batches)) for (const r of runners) expected.push(...r.processBatch(step));
    });
    afterAll(async () => {
      await group?.stop();
    });

    it('process hosts fed batches of ~1500 rows reproduce the step-by-step inline order exactly', async () => {
      const hosts: StrategyHost[] = specs.map((s, i) => createStrategyHost(s, { isolation: i === 1 ? 'worker' : 'process' }));
      group = new HostGroup(hosts);
      const members = await group.start();
      expect(members.map((m) => m.instanceId)).toEqual(['sma', 'ema', 'rsi']);
      expect(group.usesFills).toBe(false);
      const got: Signal[] = [];
      for (const b of batches) got.push(...(await group.processBatch(b)));
      expect(new Set(expected.map((s) => s.strategyId)).size).toBe(3);
      expect(got).toEqual(expected);
    });
  });
}
