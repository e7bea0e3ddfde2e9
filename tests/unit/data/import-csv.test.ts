import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataImport } from '../../../src/data/commands.ts';
import { importCsv, medianSpacing, spanText } from '../../../src/data/import-csv.ts';
import { parseTimestamp } from '../../../src/data/csv.ts';
import { CandleStore } from '../../../src/data/store.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 4, 1);
const KEY = { exchange: 'binance', market: 'spot' as const, symbol: 'ETH/USDT', timeframe: '1h' as const };

describe('importCsv', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-import-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function csv(name: string, lines: string[]): string {
    const file = join(dir, name);
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }

  it('reports each bad row by line number with the reason and value, and stores the rest', async () => {
    const file = csv('eth.csv', [
      'timestamp,open,high,low,close,volume',
      `${T0},10,12,9,11,5`, // line 2
      `${T0 + H},11,10.5,10,10.8,5`, // line 3: high below open
      `${T0 + 2 * H},11,12,9,11,-1`, // line 4: negative volume
      `${T0 + 3 * H},11,12,9,abc,1`, // line 5: not a number
      `${T0 + 4 * H + 60_000},11,12,9,11,1`, // line 6: off grid
      `${T0 + 4 * H},11,12,9,11,1`, // line 7: ok
      `${T0 + 4 * H},11,12,9,11,1`, // line 8: duplicate
      `${T0 + 5 * H},11,12,9`, // line 9: too few fields
      `${T0 + 6 * H},11,12,9,11.5,2`, // line 10: ok
    ]);
    const r = await importCsv({ dataDir: dir, file, symbol: 'ETH/USDT', timeframe: '1h', exchange: 'binance', market: 'spot' });
    expect(r.rowsRead).toBe(9);
    expect(r.rowsStored).toBe(3);
    expect(r.rejected.map((x) => x.row)).toEqual([3, 4, 5, 6, 8, 9]);
    expect(r.rejected[0]!.reason).toContain('high 10.5');
    expect(r.rejected[1]!.reason).toContain('volume -1');
    expect(r.rejected[2]!.reason).toContain('"abc"');
    expect(r.rejected[3]!.reason).toContain(String(T0 + 4 * H + 60_000));
    expect(r.rejected[4]!.reason).toMatch(/duplicate/);
    const stored = await new CandleStore(dir).readAll(KEY);
    expect(Array.from(stored.ts)).toEqual([T0, T0 + 4 * H, T0 + 6 * H]);
    expect(Array.from(stored.close)).toEqual([11, 11, 11.5]);
  });

  it('accepts ISO-8601 timestamps (zone-less means UTC) and CRLF line ends', async () => {
    const file = join(dir, 'iso.csv');
    writeFileSync(file, 'timestamp,open,high,low,close,volume\r\n2024-05-01T00:00:00Z,1,2,0.5,1.5,3\r\n2024-05-01 01:00,1.5,2,1,1.8,4\r\n');
    const r = await importCsv({ dataDir: dir, file, symbol: 'ETH/USDT', timeframe: '1h', exchange: 'binance', market: 'spot' });
    expect(r.rejected).toEqual([]);
    expect([r.first, r.last]).toEqual([T0, T0 + H]);
  });

  it('a wrong header is CT_ERR_CSV_INVALID naming the file and the header', async () => {
    const file = csv('bad.csv', ['date,o,h,l,c,v', `${T0},1,2,0.5,1.5,3`]);
    await expect(importCsv({ dataDir: dir, file, symbol: 'ETH/USDT', timeframe: '1h', exchange: 'binance', market: 'spot' })).rejects.toMatchObject({
      code: 'CT_ERR_CSV_INVALID',
      message: expect.stringContaining(`${file}: header "date,o,h,l,c,v"`),
    });
  });

  it('a missing file is CT_ERR_CSV_INVALID naming it', async () => {
    const file = join(dir, 'nope.csv');
    await expect(importCsv({ dataDir: dir, file, symbol: 'ETH/USDT', timeframe: '1h', exchange: 'binance', market: 'spot' })).rejects.toMatchObject({
      code: 'CT_ERR_CSV_INVALID',
      message: expect.stringContaining(file),
    });
  });

  it('importing a file with bad rows never loses valid candles already stored', async () => {
    await importCsv({ dataDir: dir, file: csv('a.csv', ['timestamp,open,high,low,close,volume', `${T0},10,12,9,11,5`, `${T0 + H},11,12,9,11,5`]), symbol: 'ETH/USDT', timeframe: '1h', exchange: 'binance', market: 'spot' });
    // second file: a bad version of T0 (rejected) and a new hour
    const r = await importCsv({ dataDir: dir, file: csv('b.csv', ['timestamp,open,high,low,close,volume', `${T0},10,8,9,11,5`, `${T0 + 2 * H},11,12,9,11,5`]), symbol: 'ETH/USDT', timeframe: '1h', exchange: 'binance', market: 'spot' });
    expect(r.rejected.map((x) => x.row)).toEqual([2]);
    const stored = await new CandleStore(dir).readAll(KEY);
    expect(Array.from(stored.ts)).toEqual([T0, T0 + H, T0 + 2 * H]);
    expect(stored.high[0]).toBe(12);
  });

  it('dataImport --funding stores a funding CSV and rejects a bad rate row', async () => {
    const file = csv('f.csv', ['timestamp,funding_rate', `${T0},0.0001`, `${T0 + 8 * H},nan`, `${T0 + 16 * H},-0.0002`]);
    const out = await dataImport({ dataDir: dir, funding: file, symbol: 'ETH/USDT:USDT', exchange: 'bybit' });
    expect(out.summary.rowsStored).toBe(2);
    expect(out.summary.rejected.map((x) => x.row)).toEqual([3]);
    expect(out.text).toContain('row 3');
  });

  it('dataImport rejects a spot symbol given for a linear market', async () => {
    const file = csv('p.csv', ['timestamp,open,high,low,close,volume', `${T0},10,12,9,11,5`]);
    await expect(dataImport({ dataDir: dir, csv: file, symbol: 'BTC/USDT', timeframe: '1h', market: 'linear' })).rejects.toMatchObject({ code: 'CT_ERR_SYMBOL_INVALID' });
  });
});

describe('row spacing of an import', () => {
  it('is the median spacing, which gaps and a stray duplicate do not move', () => {
    const ts = Float64Array.from([0, 1, 2, 3, 10, 11, 11, 12, 40, 41].map((h) => h * H));
    expect(medianSpacing(ts, ts.length)).toBe(H);
    expect(medianSpacing(Float64Array.from([0, 4 * H, 8 * H, 20 * H]), 4)).toBe(4 * H);
    expect(medianSpacing(Float64Array.from([0, 5 * H]), 2)).toBeUndefined();
  });

  it('is printed as a timeframe when it is one', () => {
    expect(spanText(H)).toBe('1h');
    expect(spanText(86_400_000)).toBe('1d');
    expect(spanText(90 * 60_000)).toBe('1h30m');
    expect(spanText(1500)).toBe('1s500ms');
  });
});

describe('CSV timestamps', () => {
  it('go through the one date parser: an impossible ISO date is not a timestamp', () => {
    expect(parseTimestamp('2024-02-29 01:00')).toBe(Date.UTC(2024, 1, 29, 1));
    expect(parseTimestamp('1514764800000')).toBe(1514764800000);
    expect(parseTimestamp('2023-02-29T00:00:00Z')).toBeNaN();
    expect(parseTimestamp('2023-04-31')).toBeNaN();
  });

  it('rejects a row in epoch seconds (it would be a candle of 1970), saying why', async () => {
    expect(parseTimestamp('1677625200')).toBeNaN();
    const dir = mkdtempSync(join(tmpdir(), 'ct-import-secs-'));
    const file = join(dir, 'x.csv');
    const h = (k: number): number => Date.UTC(2023, 2, 1) + k * H;
    writeFileSync(file, ['timestamp,open,high,low,close,volume', `${h(0)},1,2,0.5,1.5,3`, `${h(1) / 1000},1,2,0.5,1.5,3`, `${h(2)},1,2,0.5,1.5,3`, ''].join('\n'));
    const r = await importCsv({ dataDir: dir, file, symbol: 'ETH/USDT', timeframe: '1h', exchange: 'binance', market: 'spot' });
    expect(r.rowsStored).toBe(2);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ row: 3 });
    expect(r.rejected[0]!.reason).toContain('epoch seconds are not accepted');
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a row with an impossible date, saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-import-date-'));
    const file = join(dir, 'x.csv');
    writeFileSync(file, ['timestamp,open,high,low,close,volume', '2023-02-28T23:00:00Z,1,2,0.5,1.5,3', '2023-02-30T00:00:00Z,1,2,0.5,1.5,3', '2023-03-01T01:00:00Z,1,2,0.5,1.5,3', ''].join('\n'));
    const r = await importCsv({ dataDir: dir, file, symbol: 'ETH/USDT', timeframe: '1h', exchange: 'binance', market: 'spot' });
    expect(r.rowsStored).toBe(2);
    expect(r.rejected).toEqual([{ row: 3, reason: 'timestamp "2023-02-30T00:00:00Z" is not a timestamp (epoch ms or ISO-8601): February 2023 has 28 days' }]);
    rmSync(dir, { recursive: true, force: true });
  });
});
