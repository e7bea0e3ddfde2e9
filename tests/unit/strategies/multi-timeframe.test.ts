import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { StrategyRunner } from '../../../src/strategies/runner.ts';
import { SDK, T0, H, batchOf, candlesFromCloses, tempDir, writeStrategyFile } from './support.ts';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('multi-timeframe history', () => {
  it('shows a 4h bar only after its last 1h candle closed, aggregated from those candles', async () => {
    const p = writeStrategyFile(dir, 'mtf', `import { defineStrategy } from '${SDK}';
export default defineStrategy({
  schema: { id: 'mtf', name: 'mtf', version: '1.0.0', description: 'reads 4h', inputs: {} },
  onCandle(ctx) {
    const c4 = ctx.candles(undefined, '4h');
    const sma2 = ctx.ind.sma(2, { timeframe: '4h' });
    ctx.log.info('4h', { n: c4.length, lastTs: c4.length ? c4.ts[c4.length - 1] : -1, o: c4.open[c4.length - 1], h: c4.high[c4.length - 1], l: c4.low[c4.length - 1], c: c4.close[c4.length - 1], v: c4.volume[c4.length - 1], sma2: sma2.last(), bufLen: c4.close.buffer.byteLength });
  },
});
`);
    const recs: Array<Record<string, number>> = [];
    const r = await StrategyRunner.create(
      { instanceId: 'mtf', strategyId: 'mtf', source: { kind: 'file', path: p }, params: {}, symbols: ['BTC/USDT'], timeframe: '1h', market: 'spot' },
      { log: (rec) => recs.push({ ...(rec.fields as Record<string, number>), ts: rec.ts }) },
    );
    const closes = [10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32];
    const base = candlesFromCloses(closes, { volumes: closes.map((_, i) => i + 1) });
    r.processBatch(batchOf({ 'BTC/USDT': base }));
    // Candles 0..2 (00:00-02:00): no 4h bar yet; candle 3 (03:00, closes 04:00) completes bar 00:00.
    expect(recs.slice(0, 3).map((x) => x.n)).toEqual([0, 0, 0]);
    expect(recs[3]).toMatchObject({ n: 1, lastTs: T0, o: base[0]!.open, c: 13, v: 1 + 2 + 3 + 4 });
    expect(recs[3]!.h).toBe(Math.max(...base.slice(0, 4).map((c) => c.high)));
    expect(recs[3]!.l).toBe(Math.min(...base.slice(0, 4).map((c) => c.low)));
    expect(recs.slice(4, 7).map((x) => x.n)).toEqual([1, 1, 1]);
    expect(recs[7]).toMatchObject({ n: 2, lastTs: T0 + 4 * H, c: 23, sma2: (13 + 23) / 2 });
    // Candles 8..10 belong to a forming bar: it is never visible.
    expect(recs.slice(8).map((x) => x.n)).toEqual([2, 2, 2]);
    expect(recs[10]!.c).toBe(23);
  });

  it('closes a 4h bar whose last hour is missing when the next period starts', async () => {
    const p = writeStrategyFile(dir, 'mtf_gap', `import { defineStrategy } from '${SDK}';
export default defineStrategy({
  schema: { id: 'mtf_gap', name: 'mtf_gap', version: '1.0.0', description: 'reads 4h', inputs: {} },
  onCandle(ctx) { const c = ctx.candles(undefined, '4h'); ctx.log.info('x', { n: c.length, c: c.close[c.length - 1] ?? -1 }); },
});
`);
    const recs: Array<Record<string, number>> = [];
    const r = await StrategyRunner.create(
      { instanceId: 'g', strategyId: 'mtf_gap', source: { kind: 'file', path: p }, params: {}, symbols: ['BTC/USDT'], timeframe: '1h', market: 'spot' },
      { log: (rec) => recs.push(rec.fields as Record<string, number>) },
    );
    const base = candlesFromCloses([1, 2, 3, 4, 5, 6]).filter((_, i) => i !== 3); // 03:00 missing
    r.processBatch(batchOf({ 'BTC/USDT': base }));
    expect(recs.map((x) => x.n)).toEqual([0, 0, 0, 1, 1]);
    expect(recs[3]!.c).toBe(3);
  });
});
