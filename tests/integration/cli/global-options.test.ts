import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { CLI_ARGS } from '../../support/cli-entry.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';
import { cli, setArgs, writeSyntheticCsv, type CliRun } from './cli-env.ts';

/** The CLI as a child process without blocking this process's event loop (the fake Bybit serves from it). */
function cliAsync(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...CLI_ARGS, ...args], { cwd: REPO_ROOT });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 90_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('global options mean the same before or after any sub-command', () => {
  it('prints the package version with --version', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('gives config show the same effective config whether --from/--timeframe come before or after it', () => {
    const before = cli(['--from', '2023-05-01', '--timeframe', '4h', 'config', 'show']);
    const after = cli(['config', 'show', '--from', '2023-05-01', '--timeframe', '4h']);
    expect(before.code).toBe(0);
    expect(after.code).toBe(0);
    expect(after.stdout).toBe(before.stdout);
    expect(before.stdout).toMatch(/^from = 2023-05-01$/m);
    expect(before.stdout).toMatch(/^timeframe = 4h$/m);
  });

  it('refuses a global option the command does not use, naming the option and the command', () => {
    const r = cli(['--isolation', 'worker', 'data', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('CT_ERR_USAGE: --isolation does not apply to "data list" (it is used by: cryptotrader (run), sweep, config check, config show)');
    const after = cli(['strategies', 'list', '--from', '2023-01-01']);
    expect(after.code).toBe(2);
    expect(after.stderr).toContain('--from does not apply to "strategies list"');
  });

  it('shows a sub-command the global options it honours, with what they mean there', () => {
    const r = cli(['data', 'download', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--symbols <list> +what to download \(required\)/);
    expect(r.stdout).toMatch(/--from <date> +first candle \(required\)/);
    expect(r.stdout).not.toContain('--isolation');
  });

  it('rejects an impossible calendar date, naming the flag, the value and why', () => {
    const r = cli(['--from', '2023-02-30', 'config', 'check']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('CT_ERR_USAGE: --from: "2023-02-30" is not a date: February 2023 has 28 days');
    const set = cli(['config', 'check', '--set', 'backtest.to=2023-13-01']);
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('backtest.to = "2023-13-01" is invalid');
    const leap = cli(['config', 'check', '--from', '2024-02-29', '--to', '2024-03-01', '--json']);
    expect(leap.code).toBe(0);
  });
});

describe('data commands take their options in any position', () => {
  const ws = tempWorkspace('ct-cli-data-');
  const dataDir = join(ws.root, 'data');
  let server: FakeBybitServer;

  beforeAll(async () => {
    const from = Date.UTC(2023, 0, 1);
    server = await startFakeBybit({ now: Date.UTC(2023, 1, 1) });
    server.addCandles('spot', 'BTCUSDT', 3_600_000, generateSynthetic({ seed: 3, symbols: ['BTC/USDT'], timeframe: '1h', from, count: 24 * 31 }).get('BTC/USDT')!);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('downloads with --symbols/--timeframe/--from/--to given after `data download` or before `data`', async () => {
    const sets = setArgs([...ws.sets, `exchange.rest_url=${server.restUrl}`, 'exchange.retry_base_ms=5', 'exchange.retry_cap_ms=20']);
    const after = await cliAsync([...sets, 'data', 'download', '--symbols', 'BTC/USDT', '--timeframe', '1h', '--from', '2023-01-01', '--to', '2023-01-03', '--market', 'spot', '--json']);
    expect(after.stderr).not.toMatch(/CT_ERR_/);
    expect(after.code).toBe(0);
    const before = await cliAsync([...sets, '--symbols', 'BTC/USDT', '--timeframe', '1h', '--from', '2023-01-03', '--to', '2023-01-05', 'data', 'download', '--json']);
    expect(before.stderr).not.toMatch(/CT_ERR_/);
    expect(before.code).toBe(0);
    const list = cli([...setArgs(ws.sets), 'data', 'list', '--json', '--exchange', 'bybit']);
    expect(list.code).toBe(0);
    const rows = (JSON.parse(list.stdout) as { rows: Array<{ symbol: string; timeframe: string; rows: number; first: number }> }).rows;
    expect(rows).toEqual([expect.objectContaining({ symbol: 'BTC/USDT', timeframe: '1h', rows: 96, first: Date.UTC(2023, 0, 1) })]);
  });

  it('says which download option is missing with exit 2', () => {
    const r = cli([...setArgs(ws.sets), 'data', 'download', '--symbols', 'BTC/USDT', '--timeframe', '1h']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('CT_ERR_USAGE: data download: --from is required (e.g. --from 2023-01-01)');
  });

  it('imports a linear perpetual CSV although the config\'s market.symbols are spot (import does not use them)', () => {
    const file = join(ws.root, 'perp-1h.csv');
    writeSyntheticCsv(file, { timeframe: '1h', from: '2023-01-01', count: 48 });
    const r = cli([...setArgs(ws.sets), 'data', 'import', '--market', 'linear', '--symbol', 'BTC/USDT:USDT', '--csv', file, '--timeframe', '1h', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'candles', series: 'binance/linear/BTC/USDT:USDT/1h', rowsStored: 48 });
    const before = cli([...setArgs(ws.sets), '--market', 'linear', '--timeframe', '1h', 'data', 'import', '--symbol', 'BTC/USDT:USDT', '--csv', file, '--json']);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ series: 'binance/linear/BTC/USDT:USDT/1h', rowsStored: 48 });
  });

  it('imports a funding CSV without --market (funding is linear)', () => {
    const file = join(ws.root, 'funding.csv');
    writeFileSync(file, ['timestamp,funding_rate', `${Date.UTC(2023, 0, 1)},0.0001`, `${Date.UTC(2023, 0, 1, 8)},-0.0002`, ''].join('\n'));
    const r = cli([...setArgs(ws.sets), 'data', 'import', '--funding-csv', file, '--symbol', 'BTC/USDT:USDT', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'funding', series: 'binance/linear/BTC/USDT:USDT/funding', rowsStored: 2 });
  });
});
