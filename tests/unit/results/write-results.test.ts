import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CtError } from '../../../src/core/errors.ts';
import { computeMetrics } from '../../../src/reporting/metrics/compute-metrics.ts';
import { writeResults, type ResultsData } from '../../../src/reporting/results/write-results.ts';
import { fill, HOUR, marks, T0, trade } from '../metrics/fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'ct-results-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function data(): ResultsData {
  const values = Array.from({ length: 48 }, (_, i) => 3 + Math.sin(i / 4) / 10 + i / 47);
  values[47] = 4; // initial cash 3 -> final 4: total return 1/3
  const equity = marks(values, HOUR, values.map((_, i) => (i % 3 === 0 ? 0 : 0.5)));
  const trades = [
    trade({ id: 'T1', netPnl: 0.7, grossPnl: 0.71, fees: 0.01, rMultiple: 1.4, mae: -0.0123, mfe: 0.05, exitReason: 'stop, then signal' }),
    trade({ id: 'T2', netPnl: -0.2, grossPnl: -0.19, fees: 0.01, entryTs: T0 + 5 * HOUR, exitTs: T0 + 9 * HOUR }),
  ];
  const fills = [
    fill({ id: 'F1', orderId: 'O1', price: 16500.123456789, qty: 0.000123, fee: 0.0020295151851850, slippageCost: 1e-7 }),
    fill({ id: 'F2', orderId: 'O2', side: 'sell', price: 17000, qty: 0.000123, fee: 0.002091, ts: T0 + 3 * HOUR, reason: 'end_of_run' }),
  ];
  const closes = new Map([['BTC/USDT', Float64Array.from(values, (v) => v * 1000)]]);
  const metrics = computeMetrics({ equity, trades, fills, initialCash: 3, timeframe: '1h', benchmarkCloses: closes });
  return {
    configIni: '[market]\ntimeframe = 1h\n', metrics, trades, fills, equity,
    assumptions: ['Market orders fill at the next open.', 'Stops fill before take-profits.'], runId: 'bt-test-1',
  };
}

const FILES = ['config.ini', 'metrics.json', 'trades.csv', 'fills.csv', 'equity.csv', 'report.txt'];

describe('writeResults', () => {
  it('writes the six result files with the exact CSV headers', async () => {
    const dir = join(root, 'results', 'run-a');
    const { files } = await writeResults(dir, data());
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(FILES);
    expect(readdirSync(dir).sort()).toEqual([...FILES].sort());
    const header = (f: string): string => readFileSync(join(dir, f), 'utf8').split('\n')[0]!;
    expect(header('fills.csv').split(',').slice(0, 7)).toEqual(['ts', 'time', 'symbol', 'side', 'qty', 'price', 'fee']);
    expect(header('fills.csv')).toBe('ts,time,symbol,side,qty,price,fee,strategy,reason,slippage,order_id,fill_id');
    expect(header('equity.csv')).toBe('ts,time,cash,equity,exposure,drawdown');
    expect(header('trades.csv')).toBe(
      'id,strategy,symbol,direction,entry_ts,entry_time,exit_ts,exit_time,entry_price,exit_price,qty,gross_pnl,fees,slippage,funding,net_pnl,net_return,r_multiple,mae,mfe,bars,exit_reason',
    );
    expect(readFileSync(join(dir, 'config.ini'), 'utf8')).toBe('[market]\ntimeframe = 1h\n');
  });

  it('gives byte-identical files for the same input written twice', async () => {
    const a = join(root, 'twice', 'a');
    const b = join(root, 'twice', 'b');
    await writeResults(a, data());
    await writeResults(b, data());
    for (const f of FILES) expect(readFileSync(join(b, f), 'utf8'), f).toBe(readFileSync(join(a, f), 'utf8'));
  });

  it('writes metrics.json with 10 significant digits, 2-space indent, a trailing newline and no paths or run id', async () => {
    const dir = join(root, 'json');
    await writeResults(dir, data());
    const text = readFileSync(join(dir, 'metrics.json'), 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toMatch(/^\{\n {2}"schemaVersion": 1,\n/);
    expect(text).toContain('"totalReturn": 0.3333333333,');
    expect(text).not.toContain(root);
    expect(text).not.toContain('bt-test-1');
    const m = JSON.parse(text);
    expect(Object.keys(m)).toEqual(['schemaVersion', 'period', 'returns', 'drawdown', 'exposure', 'trades', 'costs', 'benchmark', 'notes']);
    expect(Object.keys(m.notes)).toEqual([...Object.keys(m.notes)].sort());
    expect(m.period.start).toBe('2024-01-01T00:00:00Z');
  });

  it('prints CSV numbers that parse back to the exact doubles, times as epoch ms and ISO-8601 UTC, and quotes text with commas', async () => {
    const dir = join(root, 'csv');
    const d = data();
    await writeResults(dir, d);
    const fills = readFileSync(join(dir, 'fills.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(fills[0]!.slice(0, 7)).toEqual([String(T0), '2024-01-01T00:00:00Z', 'BTC/USDT', 'buy', '0.000123', '16500.123456789', String(d.fills[0]!.fee)]);
    expect(Number(fills[0]![5])).toBe(d.fills[0]!.price);
    expect(Number(fills[0]![9])).toBe(1e-7);
    expect(fills[1]![8]).toBe('end_of_run');
    const trades = readFileSync(join(dir, 'trades.csv'), 'utf8').trim().split('\n');
    expect(trades[1]!.endsWith(',"stop, then signal"')).toBe(true);
    const equity = readFileSync(join(dir, 'equity.csv'), 'utf8').trim().split('\n');
    expect(equity).toHaveLength(49);
    expect(equity[2]).toBe(`${T0 + HOUR},2024-01-01T01:00:00Z,${d.equity.at(1)!.cash},${d.equity.at(1)!.equity},0.5,0`);
  });

  it('refuses to overwrite an existing results directory and leaves no temporary directory behind', async () => {
    const parent = join(root, 'exists');
    const dir = join(parent, 'run-x');
    await writeResults(dir, data());
    const before = readFileSync(join(dir, 'metrics.json'), 'utf8');
    const err = await writeResults(dir, { ...data(), configIni: 'changed' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CtError);
    expect((err as CtError).code).toBe('CT_ERR_RESULTS_WRITE');
    expect((err as CtError).message).toContain(dir);
    expect(readFileSync(join(dir, 'metrics.json'), 'utf8')).toBe(before);
    expect(readdirSync(parent)).toEqual(['run-x']);
  });

  it('removes the temporary directory when a write fails half way', async () => {
    const parent = join(root, 'fails');
    const d = data();
    // A metric that is not finite is a bug upstream: writing must fail, not print NaN.
    const bad = { ...d, metrics: { ...d.metrics, returns: { ...d.metrics.returns, sharpe: Number.NaN } } };
    const err = await writeResults(join(parent, 'run-y'), bad).catch((e: unknown) => e);
    expect((err as CtError).code).toBe('CT_ERR_INTERNAL');
    expect((err as CtError).message).toContain('metrics.returns.sharpe');
    expect(readdirSync(parent)).toEqual([]);
  });
});
