import { existsSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CandleStore, CANDLE_COLUMNS } from '../../../src/data/store.ts';
import { writeMonthsMerged } from '../../../src/data/monthly-files.ts';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { cli, setArgs, writeSyntheticCsv, writeSyntheticStore } from './cli-env.ts';

const KEY = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', timeframe: '1h' } as const;

describe('data import checks the rows\' spacing against --timeframe', () => {
  const ws = tempWorkspace('ct-cli-import-');
  const sets = setArgs(ws.sets);

  it('refuses 1h candles imported as 4h, naming both, and stores nothing', () => {
    const file = join(ws.root, 'BTCUSDT-1h.csv');
    writeSyntheticCsv(file, { timeframe: '1h', from: '2023-01-01', count: 400 });
    const r = cli([...sets, 'data', 'import', '--csv', file, '--symbol', 'BTC/USDT', '--timeframe', '4h']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`CT_ERR_TIMEFRAME_MISMATCH: ${file}: rows are 1h apart (median spacing), --timeframe is 4h: import it with --timeframe 1h`);
    expect(existsSync(join(ws.root, 'data', 'binance', 'spot', 'BTC_USDT', '4h'))).toBe(false);
  });

  it('refuses 4h candles imported as 1h', () => {
    const file = join(ws.root, 'BTCUSDT-4h.csv');
    writeSyntheticCsv(file, { timeframe: '4h', from: '2023-01-01', count: 100 });
    const r = cli([...sets, 'data', 'import', '--csv', file, '--symbol', 'BTC/USDT', '--timeframe', '1h']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rows are 4h apart (median spacing), --timeframe is 1h');
  });

  it('imports 1h candles with real gaps (exchange outages) as 1h', () => {
    const file = join(ws.root, 'BTCUSDT-1h-gaps.csv');
    // Three outages, the longest 40 hours.
    writeSyntheticCsv(file, { timeframe: '1h', from: '2023-01-01', count: 300, drop: (i) => (i >= 20 && i < 25) || (i >= 100 && i < 140) || i === 200 });
    const r = cli([...sets, 'data', 'import', '--csv', file, '--symbol', 'BTC/USDT', '--timeframe', '1h', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rowsRead: 254, rowsStored: 254, rejected: [] });
  });
});

describe('data verify exits 1 on what it finds', () => {
  it('exits 0 on a clean store, 1 on gaps, 0 on gaps with --allow-gaps, and 1 on a rule violation even with --allow-gaps', async () => {
    const ws = tempWorkspace('ct-cli-verify-');
    const sets = setArgs(ws.sets);
    const dataDir = join(ws.root, 'data');
    await writeSyntheticStore(dataDir, { symbols: ['BTC/USDT'], timeframe: '1h', from: '2023-01-01', to: '2023-02-01' });
    const clean = cli([...sets, 'data', 'verify']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/binance\/spot\/BTC\/USDT\/1h: 744 rows, .*0 violations: OK$/m);

    // An outage: 2023-03-01 follows 2023-01-31 23:00 in the store.
    await writeSyntheticStore(dataDir, { symbols: ['BTC/USDT'], timeframe: '1h', from: '2023-03-01', to: '2023-03-02' });
    const gaps = cli([...sets, 'data', 'verify']);
    expect(gaps.code).toBe(1);
    expect(gaps.stdout).toMatch(/1 gaps \(672 missing\), 0 violations: GAPS$/m);
    expect(gaps.stderr.trim()).toBe('CT_ERR_DATA_VERIFY_FAILED: data verify: 0 violations, 0 corrupt month files, 1 gaps (pass --allow-gaps if they are exchange outages)');
    const allowed = cli([...sets, 'data', 'verify', '--allow-gaps', '--json']);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ ok: true, gaps: 1, violations: 0, corrupt: 0 });

    // A stored candle whose high is below its close (written around the store's own checks).
    const ts = Date.UTC(2023, 4, 1);
    await writeMonthsMerged(new CandleStore(dataDir).dirOf(KEY), CANDLE_COLUMNS, { length: 1, columns: [ts, 10, 9, 8, 9.5, 1].map((v) => Float64Array.of(v)) });
    const bad = cli([...sets, 'data', 'verify', '--allow-gaps']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('high 9 < max(open 10, close 9.5)');
    expect(bad.stdout).toMatch(/1 violations: ISSUES$/m);
  });
});

describe('a corrupt Parquet month is named with the command that fixes it', () => {
  it('lists and verifies the rest, refuses a re-import with the fix, and data repair moves it aside and says what to re-import', async () => {
    const ws = tempWorkspace('ct-cli-corrupt-');
    const sets = setArgs(ws.sets);
    const dataDir = join(ws.root, 'data');
    await writeSyntheticStore(dataDir, { symbols: ['BTC/USDT'], timeframe: '1h', from: '2023-01-01', to: '2023-04-01' });
    const dir = new CandleStore(dataDir).dirOf(KEY);
    const feb = join(dir, '2023-02.parquet');
    truncateSync(feb, Math.floor(readFileSync(feb).length / 2));

    const list = cli([...sets, 'data', 'list', '--json']);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as { rows: Array<{ rows: number }>; corrupt: Array<{ file: string; month: string }> };
    expect(listed.rows).toEqual([expect.objectContaining({ rows: 744 + 744 })]); // January and March
    expect(listed.corrupt).toEqual([expect.objectContaining({ file: feb, month: '2023-02' })]);
    const listText = cli([...sets, 'data', 'list']);
    expect(listText.stdout).toContain(`corrupt 2023-02: ${feb}`);
    expect(listText.stdout).toContain('run "cryptotrader data repair" to move it aside, then re-import or re-download 2023-02-01 .. 2023-03-01');

    const verify = cli([...sets, 'data', 'verify', '--allow-gaps']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/binance\/spot\/BTC\/USDT\/1h: 1488 rows, .*1 corrupt months: ISSUES$/m);
    expect(verify.stderr).toContain('1 corrupt month files');

    const csv = join(ws.root, 'feb.csv');
    writeSyntheticCsv(csv, { timeframe: '1h', from: '2023-02-01', count: 24 * 28 });
    const reimport = cli([...sets, 'data', 'import', '--csv', csv, '--symbol', 'BTC/USDT', '--timeframe', '1h']);
    expect(reimport.code).toBe(2);
    expect(reimport.stderr.trim().split('\n')).toHaveLength(1);
    expect(reimport.stderr).toMatch(/^CT_ERR_PARQUET_CORRUPT: .*2023-02\.parquet: .*; run "cryptotrader data repair" to move it aside, then re-import or re-download 2023-02-01 \.\. 2023-03-01$/m);

    const repair = cli([...sets, 'data', 'repair']);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain(`moved aside to ${feb}.corrupt-1`);
    expect(repair.stdout).toContain('cryptotrader data import --csv FILE --symbol BTC/USDT --timeframe 1h --exchange binance --market spot');
    expect(existsSync(feb)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['2023-01.parquet', '2023-02.parquet.corrupt-1', '2023-03.parquet']);

    const again = cli([...sets, 'data', 'import', '--csv', csv, '--symbol', 'BTC/USDT', '--timeframe', '1h', '--json']);
    expect(again.code).toBe(0);
    const after = cli([...sets, 'data', 'verify', '--json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true, corrupt: 0, gaps: 0 });
    expect(cli([...sets, 'data', 'repair']).stdout).toContain('nothing to repair');
  });
});
