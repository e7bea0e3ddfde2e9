import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { accountModeCheck, balanceCheck, keysPresentCheck, permissionChecks } from '../../../src/preflight/account-checks.ts';
import { buildReport, fail, pass, warn } from '../../../src/preflight/check.ts';
import { dirWritableCheck, integrityCheck } from '../../../src/preflight/local-checks.ts';
import { clockCheck } from '../../../src/preflight/market-checks.ts';
import { reportJson, reportText } from '../../../src/preflight/render.ts';
import { sizingCheck } from '../../../src/preflight/sizing-check.ts';
import { enforcePreflight } from '../../../src/preflight/start-gate.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import type { AccountInfo } from '../../../src/venues/bybit/private-types.ts';
import { configWith } from '../../support/backtest-env.ts';

const info = (over: Partial<AccountInfo> = {}): AccountInfo => ({ kind: 'UTA 2.0', permissions: ['ContractTrade:Order', 'ContractTrade:Position', 'Spot:SpotTrade', 'Wallet:AccountTransfer'], readOnly: false, ...over });

/** Flat candles at `price` with a true range of 2 % of it. */
function flat(price: number, n = 30): CandleColumns {
  const f = (v: number): Float64Array => new Float64Array(n).fill(v);
  return { length: n, ts: Float64Array.from({ length: n }, (_, i) => i * 60_000), open: f(price), high: f(price * 1.01), low: f(price * 0.99), close: f(price), volume: f(1) };
}

function capturedLogger(): { log: pino.Logger; lines: () => Array<{ level: number; msg: string }> } {
  const out: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { out.push(chunk.toString()); cb(); } });
  return { log: pino({ level: 'info' }, sink), lines: () => out.join('').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { level: number; msg: string }) };
}

describe('the preflight report', () => {
  it('fails on a failed check, and with --strict on a warning too', () => {
    const checks = [pass('a', 'ok'), warn('b', 'meh', 'do b')];
    expect(buildReport('backtest', 'c.ini', false, checks)).toMatchObject({ ok: true, counts: { pass: 1, warn: 1, fail: 0 } });
    expect(buildReport('backtest', 'c.ini', true, checks).ok).toBe(false);
    expect(buildReport('forward', 'c.ini', false, [...checks, fail('c', 'bad', 'do c')])).toMatchObject({ ok: false, counts: { fail: 1 } });
  });

  it('prints each check with its status, reason and fix, and gives the same as JSON', () => {
    const r = buildReport('live', 'c.ini', false, [pass('config.valid', 'fine'), fail('keys.withdraw', 'can withdraw', 'make a key without Withdraw')]);
    expect(reportText(r)).toBe(
      'preflight (live) on c.ini\n' +
        'PASS  config.valid           fine\n' +
        'FAIL  keys.withdraw          can withdraw\n' +
        '                             fix: make a key without Withdraw\n' +
        '1 passed, 0 warned, 1 failed: NOT ready\n',
    );
    expect(reportJson(r)).toEqual({ mode: 'live', config: 'c.ini', strict: false, ok: false, counts: { pass: 1, warn: 0, fail: 1 }, checks: r.checks });
  });
});

describe('local checks', () => {
  it('proves a directory writable by writing in it, and fails naming a path that sits under a regular file', () => {
    const root = mkdtempSync(join(tmpdir(), 'ct-pf-unit-'));
    const made = dirWritableCheck('logs.writable', 'general.log_dir', join(root, 'logs'));
    expect(made).toMatchObject({ status: 'pass', reason: expect.stringContaining('is writable (created)') as string });
    expect(existsSync(join(root, 'logs'))).toBe(true);
    writeFileSync(join(root, 'file'), 'x');
    const c = dirWritableCheck('state.writable', 'general.state_dir', join(root, 'file', 'State'));
    expect(c).toMatchObject({ status: 'fail', fatal: true, reason: expect.stringContaining('(ENOTDIR') as string });
  });

  it('fails the integrity check of a state database that is not SQLite, and passes one not created yet', () => {
    const root = mkdtempSync(join(tmpdir(), 'ct-pf-unit-'));
    expect(integrityCheck(root).status).toBe('pass');
    writeFileSync(join(root, 'trading.db'), 'this is not a database, it is text long enough to have a header of sorts '.repeat(20));
    expect(integrityCheck(root)).toMatchObject({ status: 'fail', reason: expect.stringContaining('cannot be opened as an SQLite database') as string });
  });
});

describe('exchange and key checks', () => {
  it('fails a clock beyond the bound, reports the figure with a bound of 0, and says whether it is fatal', () => {
    expect(clockCheck(-6200, 5000, 'Bybit')).toMatchObject({ status: 'fail', fatal: true, reason: expect.stringContaining("the local clock is 6200 ms behind Bybit's") as string });
    expect(clockCheck(-6200, 5000, 'Bybit', false).fatal).toBe(false);
    expect(clockCheck(120, 5000, 'Bybit')).toMatchObject({ status: 'pass', reason: "the local clock is 120 ms ahead of Bybit's (allowed 5000 ms)" });
    expect(clockCheck(90_000, 0, 'Bybit')).toMatchObject({ status: 'pass', reason: expect.stringContaining('measured and reported only') as string });
  });

  it('wants the trade permission of the market and no withdraw permission', () => {
    const st = (i: AccountInfo, m: 'spot' | 'linear'): string[] => permissionChecks(i, m).map((c) => `${c.id}:${c.status}`);
    expect(st(info(), 'linear')).toEqual(['keys.trade:pass', 'keys.withdraw:pass']);
    expect(st(info({ permissions: ['ContractTrade:Order'] }), 'spot')).toEqual(['keys.trade:fail', 'keys.withdraw:pass']);
    expect(st(info({ permissions: ['Derivatives:DerivativesTrade', 'Wallet:Withdraw'] }), 'linear')).toEqual(['keys.trade:pass', 'keys.withdraw:fail']);
    expect(st(info({ readOnly: true }), 'linear')).toEqual(['keys.trade:fail', 'keys.withdraw:pass']);
    expect(st(info({ permissions: [] }), 'linear')).toEqual(['keys.trade:warn', 'keys.withdraw:warn']);
  });

  it('names the missing key variables, never a value, and wants a unified account with a balance', () => {
    const { config } = configWith(['secrets.api_key_env=MY_KEY']);
    const c = keysPresentCheck(config, { apiKey: undefined, apiSecret: 'shh-secret' });
    expect(c).toMatchObject({ status: 'fail', reason: expect.stringContaining('MY_KEY not set in the environment') as string });
    expect(JSON.stringify(c)).not.toContain('shh-secret');
    expect(accountModeCheck(info({ kind: 'classic' })).status).toBe('fail');
    expect(balanceCheck(config, [{ coin: 'USDT', walletBalance: 0, locked: 0 }], 'USDT', new Map()).status).toBe('fail');
    const fixed = configWith(['risk.sizing=fixed', 'risk.fixed_qty=1']).config;
    expect(balanceCheck(fixed, [{ coin: 'USDT', walletBalance: 500, locked: 0 }], 'USDT', new Map([['BTC/USDT', 30_000]]))).toMatchObject({ status: 'fail', reason: expect.stringContaining('does not cover fixed_qty 1 x 30000') as string });
  });

  it('sizes a full signal of each strategy at the last close and fails one under the instrument minimum', () => {
    const rules = new Map([['BTC/USDT', { minQty: 0.0001, qtyStep: 0.0001, minNotional: 5 }], ['ETH/USDT', { minQty: 0.01, qtyStep: 0.01, minNotional: 5 }]]);
    const candles = new Map([['BTC/USDT', flat(30_000)], ['ETH/USDT', flat(2_000)]]);
    const ok = sizingCheck(configWith([]).config, { rules, candles, cash: 10_000, cashFrom: 'forward.initial_cash' });
    // percent_equity 95 % of 10 000 (one strategy): 0.3166 BTC and 4.75 ETH.
    expect(ok).toMatchObject({ status: 'pass', reason: expect.stringContaining('simple_ma BTC/USDT 0.3166 (9498.00), simple_ma ETH/USDT 4.75 (9500.00)') as string });
    const tiny = sizingCheck(configWith([]).config, { rules, candles, cash: 4, cashFrom: 'x' });
    expect(tiny.reason).toMatch(/BTC\/USDT: percent_equity sizes 0.0001 at 30000 = 3.00 on 4.00 of x, under the minimum \(qty 0.0001, notional 5\)/);
    // Risk sizing with no stop uses the ATR of the recent candles (here 2 % of the price).
    const risk = sizingCheck(configWith(['risk.sizing=risk', 'risk.risk_per_trade_pct=1', 'risk.atr_stop_mult=2']).config, { rules, candles, cash: 10_000, cashFrom: 'x' });
    expect(risk.reason).toContain('simple_ma BTC/USDT 0.0833 (2499.00)');
    expect(sizingCheck(configWith([]).config, { rules, candles: new Map(), cash: 10_000, cashFrom: 'x' }).status).toBe('warn');
  });
});

describe('the start gate', () => {
  it('refuses a start on a failed fatal check with CT_ERR_PREFLIGHT_FAILED naming it, and not on a warning or a non-fatal failure', () => {
    const { log, lines } = capturedLogger();
    const checks = [pass('state.writable', 'ok'), warn('keys.trade', 'unknown', 'check it'), fail('exchange.clock', 'off', 'ntp', false), fail('risk.sizing', 'too small', 'raise it')];
    expect(() => enforcePreflight(checks, { skip: false, mode: 'forward', log })).toThrow(
      expect.objectContaining({ code: 'CT_ERR_PREFLIGHT_FAILED', message: expect.stringMatching(/^forward start refused: preflight check\(s\) failed: risk\.sizing: too small \(fix: raise it\)\. Run `npx tsx main.ts preflight --mode forward`/) as string }),
    );
    expect(() => enforcePreflight(checks.slice(0, 3), { skip: false, mode: 'live', log })).not.toThrow();
    enforcePreflight(checks, { skip: true, mode: 'forward', log });
    const warned = lines().filter((l) => l.level === 40);
    expect(warned.map((l) => l.msg)).toEqual([expect.stringMatching(/^preflight: 1 fatal check\(s\) failed \(risk\.sizing\); starting anyway because of --skip-preflight/) as string]);
  });
});
