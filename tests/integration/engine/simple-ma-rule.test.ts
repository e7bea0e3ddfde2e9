import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/app/modes/backtest.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { readCsvColumns } from '../../support/csv-candles.ts';
import { HAS_SHARED_DATA, sharedFile } from '../../support/shared-data.ts';
import { configWith, importShared, tempWorkspace } from '../../support/backtest-env.ts';

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

describe.skipIf(!HAS_SHARED_DATA)('simple_ma on BTCUSDT-1h, checked against the rule itself', () => {
  it('fills exactly at the open of the candle after each SMA20/SMA50 cross, with 10 bps fees', async () => {
    const ws = tempWorkspace();
    const { config, raw } = configWith([
      ...ws.sets,
      'backtest.data_exchange=binance', 'backtest.from=2018-01-01', 'backtest.to=2026-05-16T19:00:00Z', 'backtest.auto_download=false',
      'market.symbols=BTC/USDT', 'market.timeframe=1h', 'exchange.market=spot',
      'strategies.enabled=simple_ma', 'strategies.isolation=inline', 'strategy.simple_ma.fast=20', 'strategy.simple_ma.slow=50',
      'risk.sizing=percent_equity', 'risk.position_pct=95', 'execution.fee_bps=10', 'execution.slippage_bps=0', 'execution.fill_model=next_open',
    ]);
    await importShared(config.general.data_dir, [{ file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' }]);
    const r = await runBacktest({ config, raw, logger: silentLogger() });

    // The rule: long-only; on the close of candle t, fast crosses above slow -> buy at open[t+1];
    // fast crosses below slow while long -> sell at open[t+1]. Candles are the stored rows in order.
    const c = readCsvColumns(sharedFile('BTCUSDT-1h.csv'));
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

    const lines = readFileSync(join(r.resultsDir, 'fills.csv'), 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 7)).toEqual(['ts', 'time', 'symbol', 'side', 'qty', 'price', 'fee']);
    const rows = lines.slice(1).map((l) => l.split(','));
    const reasonCol = header.indexOf('reason');
    const bySignal = rows.filter((row) => row[reasonCol] !== 'end_of_run');
    expect(expected.length).toBeGreaterThan(300);
    expect(bySignal.map((row) => ({ ts: Number(row[0]), side: row[3], price: Number(row[5]) }))).toEqual(expected);
    // Fees: 10 bps of the filled notional on every fill.
    for (const row of rows) expect(Number(row[6])).toBeCloseTo(Number(row[4]) * Number(row[5]) * 0.001, 6);
    // A position still open at the end is closed at the last close.
    if (long) expect(rows.at(-1)![reasonCol]).toBe('end_of_run');
  });
});
