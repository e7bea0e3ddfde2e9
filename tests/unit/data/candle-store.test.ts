import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parquet from 'parquetjs-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCtError } from '../../../src/core/errors.ts';
import { tempPathFor } from '../../../src/data/atomic-write.ts';
import { FundingStore } from '../../../src/data/funding-store.ts';
import { moveAside } from '../../../src/data/monthly-files.ts';
import { CandleStore } from '../../../src/data/store.ts';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import { sliceColumns } from '../../../src/domain/candle.ts';
import type { SeriesKey } from '../../../src/domain/instrument.ts';

const KEY: SeriesKey = { exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', timeframe: '1h' };
const MAR_2024 = Date.UTC(2024, 2, 1);
const HOUR = 3_600_000;

function candles(count: number, from = Date.UTC(2024, 0, 1), seed = 7): CandleColumns {
  return generateSynthetic({ seed, symbols: ['BTC/USDT'], timeframe: '1h', from, count }).get('BTC/USDT')!;
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

function same(a: CandleColumns, b: CandleColumns): boolean {
  if (a.length !== b.length) return false;
  for (const f of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
    for (let i = 0; i < a.length; i++) if (!Object.is(a[f][i], b[f][i])) return false;
  }
  return true;
}

describe('CandleStore', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one Parquet file per month under exchange/market/symbol/timeframe', async () => {
    const store = new CandleStore(dir);
    const c = candles(24 * 31 + 24 * 29 + 10); // Jan + Feb 2024 + 10h of March
    const r = await store.write(KEY, c);
    expect(r.months).toEqual(['2024-01', '2024-02', '2024-03']);
    expect(readFileSync(join(dir, 'bybit/spot/BTC_USDT/1h/2024-03.parquet')).subarray(0, 4).toString()).toBe('PAR1');
    expect(await store.list()).toEqual([KEY]);
    expect(await store.range(KEY)).toEqual({ first: c.ts[0], last: c.ts[c.length - 1], rows: c.length });
  });

  it('reads a [from, to) range as ascending typed columns identical to what was written', async () => {
    const store = new CandleStore(dir);
    const c = candles(2000);
    await store.write(KEY, c);
    const from = c.ts[100]!, to = c.ts[1500]!;
    const got = await store.read(KEY, from, to);
    expect(got.ts).toBeInstanceOf(Float64Array);
    expect(same(got, sliceColumns(c, 100, 1500))).toBe(true);
    expect((await store.read(KEY, to, from)).length).toBe(0);
  });

  it('merges a re-write of a month without duplicates, the new value winning on the same ts', async () => {
    const store = new CandleStore(dir);
    const c = candles(300);
    await store.write(KEY, sliceColumns(c, 0, 200));
    const revised = candles(300, c.ts[0]!, 99); // different values, same timestamps
    await store.write(KEY, sliceColumns(revised, 150, 300));
    const got = await store.readAll(KEY);
    expect(got.length).toBe(300);
    expect(same(sliceColumns(got, 0, 150), sliceColumns(c, 0, 150))).toBe(true);
    expect(same(sliceColumns(got, 150, 300), sliceColumns(revised, 150, 300))).toBe(true);
    await store.write(KEY, sliceColumns(revised, 150, 300));
    expect(same(await store.readAll(KEY), got)).toBe(true);
  });

  it('refuses invalid candles as a whole and stores nothing', async () => {
    const store = new CandleStore(dir);
    const c = candles(10);
    c.high[4] = c.low[4]! - 1;
    const e = await caught(store.write(KEY, c));
    expect(isCtError(e) && e.code).toBe('CT_ERR_CANDLE_INVALID');
    expect(await store.range(KEY)).toBeUndefined();
  });

  it('gives CT_ERR_PARQUET_CORRUPT naming a truncated file, and the other months still read', async () => {
    const store = new CandleStore(dir);
    const c = candles(24 * 31 * 3);
    await store.write(KEY, c);
    const feb = join(dir, 'bybit/spot/BTC_USDT/1h/2024-02.parquet');
    truncateSync(feb, 1000);
    const e = await caught(store.readAll(KEY));
    expect(isCtError(e) && e.code).toBe('CT_ERR_PARQUET_CORRUPT');
    expect((e as Error).message).toContain(feb);
    const jan = await store.read(KEY, Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 1));
    expect(jan.length).toBe(24 * 31);
    const mar = await store.read(KEY, MAR_2024, Date.UTC(2024, 3, 1));
    expect(mar.length).toBeGreaterThan(0);
  });

  it('names the fix in every corrupt-month error, and readAllReadable reports the month and returns the others', async () => {
    const store = new CandleStore(dir);
    await store.write(KEY, candles(24 * 31 * 3));
    const feb = join(dir, 'bybit/spot/BTC_USDT/1h/2024-02.parquet');
    truncateSync(feb, 1000);
    const e = await caught(store.readAll(KEY));
    expect((e as Error).message).toMatch(/; run "cryptotrader data repair" to move it aside, then re-import or re-download 2024-02-01 \.\. 2024-03-01$/);
    const r = await store.readAllReadable(KEY);
    expect(r.candles.length).toBe(24 * 31 + (24 * 31 * 3 - 24 * 60));
    expect(r.corrupt).toEqual([expect.objectContaining({ file: feb, month: '2024-02', from: Date.UTC(2024, 1, 1), to: MAR_2024 })]);
  });

  it('moveAside renames to the first free <file>.corrupt-<n>, never deletes, and the store then ignores the file', async () => {
    const store = new CandleStore(dir);
    await store.write(KEY, candles(24 * 40));
    const jan = join(dir, 'bybit/spot/BTC_USDT/1h/2024-01.parquet');
    const bytes = readFileSync(jan);
    writeFileSync(`${jan}.corrupt-1`, 'an earlier one');
    expect(moveAside(jan)).toBe(`${jan}.corrupt-2`);
    expect(readFileSync(`${jan}.corrupt-2`).equals(bytes)).toBe(true);
    expect(readFileSync(`${jan}.corrupt-1`, 'utf8')).toBe('an earlier one');
    expect((await store.readAll(KEY)).length).toBe(24 * 9);
  });

  it('gives CT_ERR_PARQUET_CORRUPT for a file that is not Parquet at all', async () => {
    const store = new CandleStore(dir);
    const file = join(dir, 'bybit/spot/BTC_USDT/1h/2024-03.parquet');
    mkdirSync(join(dir, 'bybit/spot/BTC_USDT/1h'), { recursive: true });
    writeFileSync(file, 'timestamp,open\n1,2\n');
    const e = await caught(store.read(KEY, MAR_2024, MAR_2024 + HOUR));
    expect(isCtError(e) && e.code).toBe('CT_ERR_PARQUET_CORRUPT');
    expect((e as Error).message).toContain(file);
  });

  it('a failing write gives CT_ERR_STORE_WRITE naming the file and leaves the previous month file intact', async () => {
    const store = new CandleStore(dir);
    const c = candles(48, MAR_2024);
    await store.write(KEY, c);
    const file = join(dir, 'bybit/spot/BTC_USDT/1h/2024-03.parquet');
    const before = readFileSync(file);
    // Occupy the temp path with a directory: opening it for writing fails (EISDIR), like a full disk would.
    mkdirSync(tempPathFor(file));
    const e = await caught(store.write(KEY, candles(48, MAR_2024 + 48 * HOUR)));
    expect(isCtError(e) && e.code).toBe('CT_ERR_STORE_WRITE');
    expect((e as Error).message).toContain(file);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(same(await store.readAll(KEY), c)).toBe(true);
    rmSync(tempPathFor(file), { recursive: true });
    await store.write(KEY, candles(48, MAR_2024 + 48 * HOUR));
    expect((await store.readAll(KEY)).length).toBe(96);
  });

  it('files it writes are read identically by an independent Parquet reader (parquetjs-lite)', async () => {
    const store = new CandleStore(dir);
    const c = candles(50, MAR_2024);
    await store.write(KEY, c);
    const reader = await (parquet as unknown as { ParquetReader: { openFile(f: string): Promise<any> } }).ParquetReader.openFile(
      join(dir, 'bybit/spot/BTC_USDT/1h/2024-03.parquet'),
    );
    // (parquetjs-lite's reader cannot materialise its own INT64 timestamps - a BigInt bug - so read the doubles.)
    const cursor = reader.getCursor(['open', 'high', 'low', 'close', 'volume']);
    const rows: Array<Record<string, unknown>> = [];
    for (let r = await cursor.next(); r; r = await cursor.next()) rows.push(r);
    await reader.close();
    expect(rows.length).toBe(50);
    expect([rows[7]!.open, rows[7]!.high, rows[7]!.low, rows[7]!.close, rows[7]!.volume]).toEqual([c.open[7], c.high[7], c.low[7], c.close[7], c.volume[7]]);
  });

  it('missingRanges reports absent months and tails but not holes inside stored data', async () => {
    const store = new CandleStore(dir);
    const jan = candles(24 * 31, Date.UTC(2024, 0, 1));
    // keep January with a 5-hour outage in the middle
    const holed: CandleColumns = (() => {
      const keep = [...Array(jan.length).keys()].filter((i) => i < 100 || i >= 105);
      const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]!);
      return { length: keep.length, ts: pick(jan.ts), open: pick(jan.open), high: pick(jan.high), low: pick(jan.low), close: pick(jan.close), volume: pick(jan.volume) };
    })();
    await store.write(KEY, holed);
    await store.write(KEY, candles(24 * 10, MAR_2024));
    const from = Date.UTC(2023, 11, 31), to = Date.UTC(2024, 3, 1);
    expect(await store.missingRanges(KEY, from, to)).toEqual([
      { from, to: Date.UTC(2024, 0, 1) },
      { from: Date.UTC(2024, 1, 1), to: MAR_2024 },
      { from: MAR_2024 + 24 * 10 * HOUR, to },
    ]);
    expect(await store.missingRanges(KEY, Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 20))).toEqual([]);
  });
});

describe('FundingStore', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-funding-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const INST = { exchange: 'bybit', market: 'linear' as const, symbol: 'BTC/USDT:USDT' };

  it('stores funding per month under linear/<slug>/funding and reads a time range', async () => {
    const store = new FundingStore(dir);
    const t0 = Date.UTC(2024, 1, 28);
    const ts = Float64Array.from({ length: 12 }, (_, i) => t0 + i * 8 * HOUR);
    const rate = Float64Array.from({ length: 12 }, (_, i) => (i - 6) * 1e-5);
    const r = await store.write(INST, ts, rate);
    expect(r.months).toEqual(['2024-02', '2024-03']);
    readFileSync(join(dir, 'bybit/linear/BTC_USDT_USDT/funding/2024-03.parquet'));
    const got = await store.read(INST, ts[2]!, ts[9]!);
    expect(Array.from(got.ts)).toEqual(Array.from(ts.subarray(2, 9)));
    expect(Array.from(got.rate)).toEqual(Array.from(rate.subarray(2, 9)));
    expect(await store.range(INST)).toEqual({ first: ts[0], last: ts[11], rows: 12 });
    expect(store.list()).toEqual([INST]);
  });

  it('refuses funding for a spot instrument and non-increasing times', async () => {
    const store = new FundingStore(dir);
    await expect(store.write({ ...INST, market: 'spot', symbol: 'BTC/USDT' }, new Float64Array(1), new Float64Array(1))).rejects.toThrow(/linear perpetuals only/);
    await expect(store.write(INST, Float64Array.of(2, 1), Float64Array.of(0, 0))).rejects.toMatchObject({ code: 'CT_ERR_FUNDING_INVALID' });
  });
});
