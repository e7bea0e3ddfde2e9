import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataImport, dataList, dataVerify } from '../../../src/data/commands.ts';
import { FundingStore } from '../../../src/data/funding-store.ts';
import { resample } from '../../../src/data/resample.ts';
import { CandleStore } from '../../../src/data/store.ts';
import type { SeriesKey } from '../../../src/domain/instrument.ts';
import { readCsvColumns } from '../../support/csv-candles.ts';
import { HAS_SHARED_DATA, SPOT_1H_FILES, sharedFile } from '../../support/shared-data.ts';

interface CandleFile {
  file: string;
  key: SeriesKey;
}

const CANDLE_FILES: CandleFile[] = [
  ...SPOT_1H_FILES.map((f) => ({ file: f.file, key: { exchange: 'binance', market: 'spot', symbol: f.symbol, timeframe: '1h' } as SeriesKey })),
  { file: 'BTCUSDT-5m.csv', key: { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', timeframe: '5m' } },
  { file: 'ETHUSDT-5m.csv', key: { exchange: 'binance', market: 'spot', symbol: 'ETH/USDT', timeframe: '5m' } },
  { file: 'BTCUSDT-PERP-1h.csv', key: { exchange: 'binance', market: 'linear', symbol: 'BTC/USDT:USDT', timeframe: '1h' } },
];

/** `## FILE` section -> the gap texts listed on its "- Gaps:" line ([] for "none"). */
function provenanceGaps(): Map<string, string[]> {
  const text = readFileSync(sharedFile('PROVENANCE.md'), 'utf8');
  const out = new Map<string, string[]>();
  for (const section of text.split(/^## /m).slice(1)) {
    const name = section.slice(0, section.indexOf('\n')).trim();
    const line = section.split('\n').find((l) => l.startsWith('- Gaps:'));
    if (!line) continue;
    const listed = line.indexOf('missing count)`:');
    out.set(name, listed < 0 ? [] : line.slice(listed + 'missing count)`:'.length).split(';').map((g) => g.trim()).filter((g) => g.length > 0));
  }
  return out;
}

describe.skipIf(!HAS_SHARED_DATA)('data import and verify of every file in ../shared/data', () => {
  let dataDir = '';
  const imports = new Map<string, Awaited<ReturnType<typeof dataImport>>['summary']>();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ct-data-shared-'));
    for (const f of CANDLE_FILES) {
      const r = await dataImport({ dataDir, csv: sharedFile(f.file), symbol: f.key.symbol, timeframe: f.key.timeframe, exchange: 'binance', market: f.key.market });
      imports.set(f.file, r.summary);
    }
    const r = await dataImport({ dataDir, funding: sharedFile('BTCUSDT-funding-8h.csv'), symbol: 'BTC/USDT:USDT', exchange: 'binance' });
    imports.set('BTCUSDT-funding-8h.csv', r.summary);
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('imports every candle and funding file with no row rejected', () => {
    for (const f of [...CANDLE_FILES.map((c) => c.file), 'BTCUSDT-funding-8h.csv']) {
      const s = imports.get(f)!;
      expect(s.rejected, f).toEqual([]);
      expect(s.rowsStored, f).toBe(s.rowsRead);
      const csvRows = readFileSync(sharedFile(f), 'utf8').trim().split('\n').length - 1;
      expect(s.rowsRead, f).toBe(csvRows);
    }
  });

  it('reports exactly the gaps listed in PROVENANCE.md for every series', async () => {
    const expected = provenanceGaps();
    // The parser must have found the lists (PROVENANCE says "27 gaps" for BTCUSDT-1h).
    expect(expected.get('BTCUSDT-1h.csv')).toHaveLength(27);
    const verify = (await dataVerify({ dataDir })).summary.series;
    for (const f of CANDLE_FILES) {
      const s = verify.find((v) => v.series === `binance/${f.key.market}/${f.key.symbol}/${f.key.timeframe}`)!;
      expect(s, f.file).toBeDefined();
      expect(expected.has(f.file), f.file).toBe(true);
      expect(s.gaps.map((g) => g.text), f.file).toEqual(expected.get(f.file));
      expect(s.violations, f.file).toEqual([]);
    }
    const funding = verify.find((v) => v.series === 'binance/linear/BTC/USDT:USDT/funding')!;
    expect(funding.gaps).toEqual([]);
    expect(funding.rows).toBe(imports.get('BTCUSDT-funding-8h.csv')!.rowsRead);
  });

  it('lists what is stored with first, last and row counts matching the CSVs', async () => {
    const list = (await dataList({ dataDir })).summary.rows;
    for (const f of CANDLE_FILES) {
      const raw = readCsvColumns(sharedFile(f.file));
      const row = list.find((r) => r.symbol === f.key.symbol && r.timeframe === f.key.timeframe && r.market === f.key.market)!;
      expect(row, f.file).toBeDefined();
      expect([row.first, row.last, row.rows]).toEqual([raw.ts[0], raw.ts[raw.length - 1], raw.length]);
    }
    expect(list.some((r) => r.timeframe === 'funding' && r.symbol === 'BTC/USDT:USDT')).toBe(true);
  });

  it('reads back every candle of BTC/USDT 1h exactly as in the CSV', async () => {
    const store = new CandleStore(dataDir);
    const key = CANDLE_FILES[0]!.key;
    const raw = readCsvColumns(sharedFile('BTCUSDT-1h.csv'));
    const got = await store.readAll(key);
    for (const f of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Buffer.from(got[f].buffer, got[f].byteOffset, got[f].byteLength).equals(Buffer.from(raw[f].slice().buffer))).toBe(true);
  });

  it('re-importing the same file adds no duplicates and reads back the same bytes', async () => {
    const store = new CandleStore(dataDir);
    const key = CANDLE_FILES[0]!.key;
    const before = await store.readAll(key);
    const again = await dataImport({ dataDir, csv: sharedFile('BTCUSDT-1h.csv'), symbol: 'BTC/USDT', timeframe: '1h' });
    expect(again.summary.rejected).toEqual([]);
    const after = await store.readAll(key);
    expect(after.length).toBe(before.length);
    for (const f of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Buffer.from(after[f].buffer).equals(Buffer.from(before[f].buffer))).toBe(true);
  });

  it('resampling BTCUSDT 5m to 1h equals the complete hours of BTCUSDT 1h', async () => {
    const store = new CandleStore(dataDir);
    const m5 = await store.readAll({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', timeframe: '5m' });
    const hours = resample(m5, '5m', '1h');
    const h1 = await store.read(CANDLE_FILES[0]!.key, hours.ts[0]!, hours.ts[hours.length - 1]! + 3_600_000);
    const byTs = new Map<number, number>();
    for (let i = 0; i < h1.length; i++) byTs.set(h1.ts[i]!, i);
    let compared = 0;
    for (let k = 0; k < hours.length; k++) {
      const i = byTs.get(hours.ts[k]!);
      if (i === undefined) continue;
      compared++;
      expect([hours.open[k], hours.high[k], hours.low[k], hours.close[k]]).toEqual([h1.open[i], h1.high[i], h1.low[i], h1.close[i]]);
      expect(Math.abs(hours.volume[k]! - h1.volume[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(h1.volume[i]!)));
    }
    // 5m file spans 2024-12-31 .. 2026-02-19 with no gaps: every hour of that span is compared.
    expect(compared).toBe(Math.floor(m5.length / 12));
  });

  it('stores funding history readable by time range', async () => {
    const funding = new FundingStore(dataDir);
    const inst = { exchange: 'binance', market: 'linear' as const, symbol: 'BTC/USDT:USDT' };
    const jan1 = Date.UTC(2020, 0, 1);
    const day = await funding.read(inst, jan1, jan1 + 86_400_000);
    expect(Array.from(day.ts)).toEqual([jan1, jan1 + 8 * 3_600_000, jan1 + 16 * 3_600_000]);
    // PROVENANCE spot check: -0.00012359 / -0.00012383 / -0.00009664
    expect(Array.from(day.rate)).toEqual([-0.00012359, -0.00012383, -0.00009664]);
  });
});
