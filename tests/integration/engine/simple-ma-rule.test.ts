import { describe, expect, it } from 'vitest';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import { readCsvColumns } from '../../support/csv-candles.ts';
import { HAS_SHARED_DATA, sharedFile } from '../../support/shared-data.ts';
import { executionKey, importShared, runBacktestInProcess, tempWorkspace } from '../../support/backtest-env.ts';
import { LONG_MARKET, syntheticSeries, writeSyntheticStore } from '../../support/synthetic-store.ts';

/** Plain SMA written from its definition, independent of src/indicators. */
function naiveSma(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  for (let i = n - 1; i < x.length; i++) {
    let s = 0;
    for (let k = i - n + 1; k <= i; k++) s += x[k]!;
    out[i] = s / n;
  }
  return out;
}

const BTC_2Y = { ...LONG_MARKET, symbols: ['BTC/USDT'] };

const CASES: ReadonlyArray<{ name: string; available: boolean; minCrosses: number; prepare(dataDir: string): Promise<string[]>; candles(): CandleColumns }> = [
  {
    name: 'two years of synthetic BTC/USDT 1h',
    available: true,
    minCrosses: 100,
    prepare: async (dataDir) => (await writeSyntheticStore(dataDir, BTC_2Y)).sets,
    candles: () => syntheticSeries('BTC/USDT', BTC_2Y),
  },
  {
    name: 'BTCUSDT-1h (real, 2018 to 2026)',
    available: HAS_SHARED_DATA,
    minCrosses: 300,
    prepare: async (dataDir) => {
      await importShared(dataDir, [{ file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' }]);
      return ['backtest.data_exchange=binance', 'backtest.from=2018-01-01', 'backtest.to=2026-05-16T19:00:00Z', 'backtest.auto_download=false', 'market.timeframe=1h', 'exchange.market=spot'];
    },
    candles: () => readCsvColumns(sharedFile('BTCUSDT-1h.csv')),
  },
];

for (const market of CASES) describe.skipIf(!market.available)(`simple_ma on ${market.name}, checked against the rule itself`, () => {
  it('fills exactly at the open of the candle after each SMA20/SMA50 cross, with 10 bps fees', async () => {
    const ws = tempWorkspace();
    const r = await runBacktestInProcess([
      ...ws.sets, ...(await market.prepare(ws.dataDir)),
      'market.symbols=BTC/USDT',
      'strategies.enabled=simple_ma', 'strategies.isolation=inline', 'strategy.simple_ma.fast=20', 'strategy.simple_ma.slow=50',
      'risk.sizing=percent_equity', 'risk.position_pct=95', executionKey('fee_bps=10'), executionKey('slippage_bps=0'), executionKey('fill_model=next_open'),
    ]);
    expect(r.code, r.stderr).toBe(0);

    // The rule: long-only; on the close of candle t, fast crosses above slow -> buy at open[t+1];
    // fast crosses below slow while long -> sell at open[t+1]. Candles are the stored rows in order.
    const c = market.candles();
    const f = naiveSma(c.close, 20);
    const s = naiveSma(c.close, 50);
    const expected: Array<{ ts: number; side: string; price: number }> = [];
    let long = false;
    for (let t = 50; t < c.length - 1; t++) {
      const up = f[t]! > s[t]! && f[t - 1]! <= s[t - 1]!;
      const down = f[t]! < s[t]! && f[t - 1]! >= s[t - 1]!;
      if (!long && up) {
        expected.push({ ts: c.ts[t + 1]!, side: 'buy', price: c.open[t + 1]! });
        long = true;
      } else if (long && down) {
        expected.push({ ts: c.ts[t + 1]!, side: 'sell', price: c.open[t + 1]! });
        long = false;
      }
    }

    const lines = r.file('fills.csv').trim().split('\n');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 7)).toEqual(['ts', 'time', 'symbol', 'side', 'qty', 'price', 'fee']);
    const rows = lines.slice(1).map((l) => l.split(','));
    const reasonCol = header.indexOf('reason');
    const bySignal = rows.filter((row) => row[reasonCol] !== 'end_of_run');
    expect(expected.length).toBeGreaterThan(market.minCrosses);
    expect(bySignal.map((row) => ({ ts: Number(row[0]), side: row[3], price: Number(row[5]) }))).toEqual(expected);
    // Fees: 10 bps of the filled notional on every fill.
    for (const row of rows) expect(Number(row[6])).toBeCloseTo(Number(row[4]) * Number(row[5]) * 0.001, 6);
    // A position still open at the end is closed at the last close.
    if (long) expect(rows.at(-1)![reasonCol]).toBe('end_of_run');
  });
});
