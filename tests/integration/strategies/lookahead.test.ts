import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sliceColumns, type CandleColumns } from '../../../src/domain/candle.ts';
import { BUILTIN_IDS } from '../../../src/strategies/loader.ts';
import { lookaheadCheck } from '../../../src/strategies/lookahead.ts';
import type { StrategySpec } from '../../../src/strategies/strategy-spec.ts';
import { readCsvColumns } from '../../support/csv-candles.ts';
import { HAS_SHARED_DATA, SPOT_1H_FILES, sharedFile } from '../../support/shared-data.ts';
import { SPOT_MARKET, syntheticCandles } from '../../support/synthetic-store.ts';

// Real data: 2021-06 .. 2021-11 (4,000 hourly candles) — all five symbols are listed by then.
const FROM = 1_622_505_600_000;
const N = 4000;

function realWindow(file: string): CandleColumns {
  const c = readCsvColumns(sharedFile(file));
  let i = 0;
  while (c.ts[i]! < FROM) i++;
  return sliceColumns(c, i, i + N);
}

function spec(id: string, symbols: string[], source: StrategySpec['source'] = { kind: 'builtin', id }): StrategySpec {
  return { instanceId: id, strategyId: id, source, params: {}, symbols, timeframe: '1h', market: 'spot' };
}

type Universe = Array<{ symbol: string; candles: CandleColumns }>;
const SOURCES: ReadonlyArray<{ name: string; available: boolean; data: () => Universe }> = [
  // the first N candles of the three synthetic spot symbols
  { name: 'the seeded synthetic market', available: true, data: () => [...syntheticCandles(SPOT_MARKET)].map(([symbol, c]) => ({ symbol, candles: sliceColumns(c, 0, N) })) },
  { name: 'real data', available: HAS_SHARED_DATA, data: () => SPOT_1H_FILES.map((f) => ({ symbol: f.symbol, candles: realWindow(f.file) })) },
];

for (const source of SOURCES) {
  describe.skipIf(!source.available)(`look-ahead check on ${source.name}`, () => {
    const data = source.available ? source.data() : [];
    const two = data.slice(0, 2); // BTC + ETH

    for (const id of BUILTIN_IDS) {
      it(`finds no look-ahead in builtin ${id}`, async () => {
        const universe = id === 'cross_section_momentum' || id === 'macd_rsi_confluence';
        const d = universe ? data : two;
        const r = await lookaheadCheck(spec(id, d.map((x) => x.symbol)), d);
        expect(r.ok, r.message).toBe(true);
        expect(r.fullSignals, `${id} should trade on ${N} candles`).toBeGreaterThan(0);
        expect(r.cuts.length).toBe(5);
      });
    }

    it('catches the peeking fixture by name', async () => {
      const path = resolve(import.meta.dirname, 'fixtures/peek_memory.ts');
      const r = await lookaheadCheck(spec('peek_memory', ['BTC/USDT'], { kind: 'file', path }), [two[0]!]);
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(/^look-ahead check FAILED for strategy peek_memory \(instance peek_memory\): truncated after \d+ steps/);
    });

    it('gives a strategy no way to read future candles through the history buffer', async () => {
      const path = resolve(import.meta.dirname, 'fixtures/peek_buffer.ts');
      const warnings: unknown[] = [];
      const r = await lookaheadCheck(spec('peek_buffer', ['BTC/USDT'], { kind: 'file', path }), [two[0]!], { log: (rec) => { if (rec.level === 'warn') warnings.push(rec); } });
      expect(warnings).toEqual([]);
      expect(r.ok, r.message).toBe(true);
    });
  });
}
