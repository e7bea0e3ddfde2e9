import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import { CandleStore } from '../../../src/data/store.ts';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import { importShared, tempWorkspace } from '../../support/backtest-env.ts';
import { runCliProcess, startCliProcess } from '../../support/cli-process.ts';
import { query, waitFor } from '../../support/daemon-process.ts';
import { closeReaders, readDb } from '../../support/forward-daemon.ts';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { serveSynthetic } from '../../support/fake-bybit/sources.ts';
import { HAS_SHARED_DATA, REPO_ROOT } from '../../support/shared-data.ts';
import { setArgs } from './cli-env.ts';

/**
 * `preflight` as an operator runs it before a deploy: the built CLI (and scripts/preflight.ts) on
 * the shipped config, against a real store, state dir and lock, and the fake Bybit on loopback.
 * Each invocation checks several things at once; one fake serves every exchange case.
 */
interface Check { id: string; status: 'pass' | 'warn' | 'fail'; reason: string; fix: string; fatal: boolean }
interface Report { mode: string; ok: boolean; strict: boolean; counts: { pass: number; warn: number; fail: number }; checks: Check[] }

const M = 60_000;
const ALWAYS = ['config.valid', 'state.writable', 'state.integrity', 'disk.free', 'logs.writable', 'results.writable', 'state.lock', 'strategies.load', 'strategies.params', 'strategies.lookahead'];

function reportOf(stdout: string): Report {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Report;
}
function statuses(r: Report): Record<string, string> {
  return Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
}
function check(r: Report, id: string): Check {
  const c = r.checks.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no check ${id} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
}
/** The environment without any API key: a case that needs keys names them itself. */
function envWith(keys?: { apiKey: string; secret: string }): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['BYBIT_API_KEY'];
  delete env['BYBIT_API_SECRET'];
  return keys === undefined ? env : { ...env, BYBIT_API_KEY: keys.apiKey, BYBIT_API_SECRET: keys.secret };
}

describe('preflight before a backtest deploy', () => {
  const ws = tempWorkspace('ct-preflight-bt-');

  beforeAll(async () => {
    // The shipped config's range (2022-01-01 .. 2024-01-01, 1h, BTC/USDT and ETH/USDT on bybit spot),
    // with a 3-candle hole in ETH/USDT: a gap is listed, never a failure.
    const from = Date.UTC(2022, 0, 1);
    const series = generateSynthetic({ seed: 11, symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '1h', from, count: 2 * 365 * 24 });
    const store = new CandleStore(ws.dataDir);
    for (const [symbol, c] of series) {
      const cut = symbol === 'ETH/USDT' ? withHole(c, 5000, 3) : c;
      await store.write({ exchange: 'bybit', market: 'spot', symbol, timeframe: '1h' }, cut);
    }
  }, 60_000);

  it('passes on the shipped config with the range in the store, listing the gaps, as one JSON object', async () => {
    const out = await runCliProcess(['preflight', '--json', ...setArgs(ws.sets)], 60_000, envWith());
    expect(out.code, out.stderr).toBe(0);
    const r = reportOf(out.stdout);
    expect(r).toMatchObject({ mode: 'backtest', ok: true, strict: false, counts: { fail: 0, warn: 0 } });
    expect(r.checks.map((c) => c.id)).toEqual([...ALWAYS, 'backtest.data']);
    for (const c of r.checks) expect(Object.keys(c).sort()).toEqual(['fatal', 'fix', 'id', 'reason', 'status']);
    expect(check(r, 'backtest.data').reason).toMatch(/BTC\/USDT 17520 candles, no gaps; ETH\/USDT 17517 candles, 1 gap\(s\) of 3 candles: 2022-07-28 /);
    expect(check(r, 'strategies.lookahead').reason).toMatch(/simple_ma pass on the last 500 candles per symbol of the store/);
    expect(check(r, 'state.lock').reason).toContain('no daemon holds the lock');
  }, 60_000);

  it('fails with exit 1 naming an unwritable state dir and a strategy parameter out of range; scripts/preflight.ts gives the same', async () => {
    // Root writes through any permission bits: the state dir sits under a regular file, which no one can make a directory in.
    const blocker = join(ws.root, 'not-a-dir');
    writeFileSync(blocker, 'a file\n');
    const sets = [...ws.sets, `general.state_dir=${join(blocker, 'State')}`, 'strategy.simple_ma.fast=5000'];
    const out = await runCliProcess(['preflight', '--json', ...setArgs(sets)], 60_000, envWith());
    expect(out.code, out.stderr).toBe(1);
    const r = reportOf(out.stdout);
    expect(statuses(r)).toMatchObject({ 'config.valid': 'pass', 'state.writable': 'fail', 'logs.writable': 'pass', 'results.writable': 'pass', 'strategies.load': 'pass', 'strategies.params': 'fail', 'strategies.lookahead': 'fail', 'backtest.data': 'pass' });
    expect(check(r, 'state.writable')).toMatchObject({ fatal: true, reason: expect.stringMatching(/general\.state_dir = .*not-a-dir\/State: .* cannot be written \(ENOTDIR/) as string, fix: expect.stringContaining('point general.state_dir at one') as string });
    expect(check(r, 'strategies.params').reason).toMatch(/--set: .*strategy\.simple_ma\.fast.*5000/);
    expect(out.stderr).toMatch(/^CT_ERR_PREFLIGHT_FAILED: preflight \(backtest\): 3 check\(s\) failed: state\.writable, strategies\.params, strategies\.lookahead\n$/m);
    expect(out.stderr).not.toMatch(/\n\s+at /);

    const script = await runNode(['--import', 'tsx', 'scripts/preflight.ts', '--config', 'config/config.ini', ...setArgs(sets)]);
    expect(script.code, script.stderr).toBe(1);
    // The same checks with the same outcome; the free space is measured again, so only its status is compared.
    for (const c of r.checks) expect(script.stdout).toContain(`${c.status.toUpperCase()}  ${c.id.padEnd(22)} ${c.id === 'disk.free' ? '' : c.reason}`);
    expect(script.stdout).toMatch(/FAIL {2}state\.writable .*\n {6}.* fix: make .* a directory this user can write/);
    expect(script.stdout).toContain('8 passed, 0 warned, 3 failed: NOT ready');
  }, 60_000);

  it('fails naming the process that holds the state dir\'s daemon lock', async () => {
    const stateDir = join(ws.root, 'State');
    mkdirSync(stateDir, { recursive: true });
    const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
      "const { takeDaemonLock } = await import('./src/app/state-lock.ts'); takeDaemonLock(process.argv[1], { mode: 'dry-run', runId: 'dry-run-holder' }, { warn() {} }); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);", stateDir], { cwd: REPO_ROOT });
    try {
      let said = '';
      holder.stdout.on('data', (d: Buffer) => { said += d.toString(); });
      await waitFor(() => said.includes('locked'), 20_000, 'the lock holder to take the lock');
      const out = await runCliProcess(['preflight', '--json', ...setArgs(ws.sets)], 60_000, envWith());
      expect(out.code, out.stderr).toBe(1);
      const r = reportOf(out.stdout);
      expect(r.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['state.lock']);
      expect(check(r, 'state.lock').reason).toContain(`in use by another daemon: pid ${holder.pid} (dry-run run dry-run-holder, started `);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);
});

describe('--skip-preflight', () => {
  it('is refused, not ignored, by a run whose start has no preflight', async () => {
    const ws = tempWorkspace('ct-skip-preflight-');
    for (const mode of [['--mode', 'backtest'], ['--dry-run']]) {
      const out = await runCliProcess([...mode, '--skip-preflight', ...setArgs(ws.sets)], 60_000);
      expect(out.code).toBe(2);
      expect(out.stderr.trim()).toMatch(/^CT_ERR_USAGE: --skip-preflight: a (backtest|dry-run) run has no preflight at its start to skip \(forward and live starts have one\)$/);
    }
  }, 60_000);
});

describe.skipIf(!HAS_SHARED_DATA)('preflight on real candles (../shared/data)', () => {
  it('passes on the shipped config with the Binance files imported, listing the real outage of 2023-03-24', async () => {
    const ws = tempWorkspace('ct-preflight-real-');
    await importShared(ws.dataDir, [{ file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' }, { file: 'ETHUSDT-1h.csv', symbol: 'ETH/USDT' }]);
    const out = await runCliProcess(['preflight', '--json', ...setArgs([...ws.sets, 'backtest.data_exchange=binance'])], 60_000, envWith());
    expect(out.code, out.stderr).toBe(0);
    const r = reportOf(out.stdout);
    expect(r.counts).toEqual({ pass: 11, warn: 0, fail: 0 });
    expect(check(r, 'backtest.data').reason).toMatch(/BTC\/USDT 17519 candles, 1 gap\(s\) of 1 candles: 2023-03-24 12:00->14:00 \(1\); ETH\/USDT 17519 candles, 1 gap\(s\) of 1 candles: 2023-03-24 12:00->14:00 \(1\)/);
  }, 60_000);
});

describe('preflight before a forward or live deploy, against the fake Bybit', () => {
  let server: FakeBybitServer;
  let clock: NodeJS.Timeout | undefined;
  const KEYS = {
    noTrade: { apiKey: 'pf-notrade-key', secret: 'pf-notrade-secret-000' },
    withdraw: { apiKey: 'pf-withdraw-key', secret: 'pf-withdraw-secret-000' },
    demo: { apiKey: 'pf-demo-key', secret: 'pf-demo-secret-000' },
  };

  beforeAll(async () => {
    const now = Date.now();
    // The fake clock at the wall clock (so /v5/market/time is within the skew bound) until a test shifts it.
    server = await startFakeBybit({
      now,
      accounts: [
        { ...KEYS.withdraw, balances: { USDT: 10_000 }, permissions: { ContractTrade: ['Order', 'Position'], Spot: ['SpotTrade'], Wallet: ['AccountTransfer', 'Withdraw'] } },
        { ...KEYS.demo, balances: { USDT: 10_000 }, demo: true },
      ],
    });
    for (const category of ['linear', 'spot'] as const) serveSynthetic(server, { seed: 5, ids: ['BTCUSDT', 'ETHUSDT'], category, timeframe: '1m', from: Math.floor(now / M) * M - 2400 * M, count: 3000 });
    // A key without trade permission, opened as an operator would, over the admin endpoint.
    const opened = await fetch(`${server.adminUrl}/accounts`, { method: 'POST', body: JSON.stringify({ ...KEYS.noTrade, balances: { USDT: 10_000 }, permissions: { ContractTrade: [], Spot: [], Wallet: ['AccountTransfer'] } }) });
    expect(opened.status).toBe(201);
    // The fake clock follows the wall clock (set, not stepped, so it never drifts behind): the last
    // closed candle is the one a client expects by the server's time.
    clock = setInterval(() => server.setNow(Date.now()), 50);
  }, 60_000);
  afterAll(async () => {
    clearInterval(clock);
    closeReaders();
    await server?.close();
  });

  const space = (prefix: string, sets: readonly string[]): { root: string; stateDb: string; sets: string[] } => {
    const ws = tempWorkspace(prefix);
    return {
      ...ws,
      sets: [
        ...ws.sets, `exchange.rest_url=${server.restUrl}`, `exchange.ws_url=${server.wsUrl}`, `exchange.demo_rest_url=${server.restUrl}`, `exchange.demo_ws_url=${server.wsUrl}`,
        `exchange.testnet_rest_url=${server.restUrl}`, `exchange.testnet_ws_url=${server.wsUrl}`, 'exchange.market=linear', 'market.symbols=BTC/USDT:USDT', 'market.timeframe=1m', ...sets,
      ],
    };
  };

  it('paper forward: fails naming a symbol the exchange does not list and a server clock off by more than the bound', async () => {
    const ws = space('ct-preflight-fw-', ['market.symbols=BTC/USDT:USDT,DOGE/USDT:USDT']);
    const res = await fetch(`${server.adminUrl}/clock`, { method: 'POST', body: JSON.stringify({ skew_ms: 60_000 }) });
    expect(((await res.json()) as { skew_ms: number }).skew_ms).toBe(60_000);
    try {
      const out = await runCliProcess(['preflight', '--mode', 'forward', '--json', ...setArgs(ws.sets)], 60_000, envWith());
      expect(out.code, out.stderr).toBe(1);
      const r = reportOf(out.stdout);
      expect(r.checks.map((c) => c.id)).toEqual([...ALWAYS, 'exchange.reachable', 'exchange.clock', 'exchange.symbols', 'exchange.warmup', 'risk.sizing']);
      expect(statuses(r)).toMatchObject({ 'exchange.reachable': 'pass', 'exchange.clock': 'fail', 'exchange.symbols': 'fail', 'risk.sizing': 'warn' });
      expect(check(r, 'exchange.clock').reason).toMatch(/the local clock is (59\d{3}|60\d{3}) ms behind Bybit's: more than preflight\.max_clock_skew_ms = 5000/);
      expect(check(r, 'exchange.symbols').reason).toBe('DOGE/USDT:USDT is not listed (exchange.market = linear)');
      expect(check(r, 'exchange.clock').fatal, 'paper trading signs nothing: a paper start is not refused for the clock').toBe(false);
      expect(check(r, 'risk.sizing').reason).toMatch(/^sizing not checked for DOGE\/USDT:USDT; meets the minimums: simple_ma BTC\/USDT:USDT /);
    } finally {
      server.setClockSkew(undefined);
    }
  }, 60_000);

  it('exchange execution: fails on a key without trade permission, and on a key that may withdraw, whose start is refused; keys never reach the output', async () => {
    const testnet = ['forward.execution=bybit_testnet', 'forward.account=desk', 'preflight.lookahead_candles=200'];
    const start = space('ct-preflight-wd-start-', testnet);
    const [noTrade, withdraw, refused] = await Promise.all([
      runCliProcess(['preflight', '--mode', 'forward', '--json', ...setArgs(space('ct-preflight-nt-', testnet).sets)], 60_000, envWith(KEYS.noTrade)),
      runCliProcess(['preflight', '--mode', 'forward', '--json', ...setArgs(space('ct-preflight-wd-', testnet).sets)], 60_000, envWith(KEYS.withdraw)),
      // An exchange-backed start with that key refuses before it sends anything.
      runCliProcess(['--mode', 'forward', ...setArgs(start.sets)], 60_000, envWith(KEYS.withdraw)),
    ]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/CT_ERR_PREFLIGHT_FAILED: forward start refused: preflight check\(s\) failed: keys\.withdraw: the key has the Withdraw permission/);
    expect(query<{ status: string }>(start.stateDb, 'SELECT status FROM runs').map((x) => x.status)).toEqual(['failed']);
    expect(server.account(KEYS.withdraw.apiKey)!.orders).toEqual([]);
    for (const k of Object.values(KEYS)) expect(refused.stdout + refused.stderr).not.toContain(k.secret);
    const exchangeIds = ['exchange.reachable', 'exchange.symbols', 'exchange.warmup', 'keys.present', 'exchange.clock', 'keys.valid', 'keys.trade', 'keys.withdraw', 'account.mode', 'account.balance', 'risk.sizing'];
    for (const out of [noTrade, withdraw]) {
      expect(out.code, out.stderr).toBe(1);
      expect(reportOf(out.stdout).checks.map((c) => c.id)).toEqual([...ALWAYS, ...exchangeIds]);
      for (const k of Object.values(KEYS)) expect(out.stdout + out.stderr).not.toContain(k.secret);
    }
    const a = reportOf(noTrade.stdout);
    expect(a.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['keys.trade']);
    expect(check(a, 'keys.trade').reason).toBe('the key lacks the linear trade permission (needs ContractTrade:Order or Derivatives:DerivativesTrade; has Wallet:AccountTransfer)');
    const b = reportOf(withdraw.stdout);
    expect(b.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['keys.withdraw']);
    expect(check(b, 'keys.withdraw')).toMatchObject({ fatal: true, reason: expect.stringContaining('the key has the Withdraw permission') as string });
    expect(check(b, 'exchange.clock').reason).toMatch(/ms (ahead of|behind) Bybit testnet's \(allowed 5000 ms\)/);
    expect(check(b, 'account.mode').reason).toContain('a unified trading account (UTA 2.0 Pro)');
    expect(check(b, 'account.balance').reason).toContain('10000 USDT to trade with');
    expect(check(b, 'exchange.warmup').reason).toBe('the last 500 closed 1m candles can be fetched (BTC/USDT:USDT 500)');
    expect(check(b, 'strategies.lookahead').reason).toMatch(/^simple_ma pass on the last 200 candles per symbol of Bybit testnet's last closed candles$/);
  }, 60_000);

  it('a demo key whose permissions the venue does not report passes with warnings, and --strict fails on them', async () => {
    const ws = space('ct-preflight-demo-', ['forward.execution=bybit_demo', 'forward.account=demo']);
    const out = await runCliProcess(['preflight', '--mode', 'forward', '--strict', '--json', ...setArgs(ws.sets)], 60_000, envWith(KEYS.demo));
    expect(out.code, out.stderr).toBe(1);
    const r = reportOf(out.stdout);
    expect(r).toMatchObject({ ok: false, strict: true, counts: { fail: 0, warn: 2 } });
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['keys.trade', 'keys.withdraw']);
    expect(out.stderr).toContain('CT_ERR_PREFLIGHT_FAILED: preflight (forward): 2 check(s) warned (--strict): keys.trade, keys.withdraw');
  }, 60_000);

  it('a forward start refuses to trade when a fatal check fails, naming it; with --skip-preflight it starts, logged', async () => {
    // A fixed size under the instrument's minimum quantity (0.001 BTC): every order would be refused.
    const ws = space('ct-preflight-gate-', ['risk.sizing=fixed', 'risk.fixed_qty=0.0001', 'forward.warmup_candles=60', 'preflight.max_clock_skew_ms=0']);
    const refused = await runCliProcess(['--mode', 'forward', ...setArgs(ws.sets)], 60_000, envWith());
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/CT_ERR_PREFLIGHT_FAILED: forward start refused: preflight check\(s\) failed: risk\.sizing: simple_ma BTC\/USDT:USDT: fixed sizes 0 at [\d.]+ = 0\.00 on 10000\.00 of forward\.initial_cash, under the minimum \(qty 0\.001, notional 5\)/);
    expect(refused.stderr).toContain('--skip-preflight to override');
    expect(existsSync(ws.stateDb) ? query(ws.stateDb, 'SELECT id FROM runs') : []).toEqual([]);

    const daemon = startCliProcess(['--mode', 'forward', '--skip-preflight', ...setArgs(ws.sets)], 60_000, envWith());
    try {
      // readDb reads "not yet" while the database or its tables are still being made.
      const running = (): boolean => readDb(ws.stateDb, (db) => (db.prepare('SELECT status FROM runs').all() as { status: string }[]).some((x) => x.status === 'running')) === true;
      await waitFor(running, 30_000, 'the forward run to start');
      daemon.kill('SIGINT');
      const out = await daemon.exited;
      expect(out.code, out.stderr).toBe(0);
      expect(out.stderr).toMatch(/preflight: 1 fatal check\(s\) failed \(risk\.sizing\); starting anyway because of --skip-preflight/);
      expect(query<{ status: string }>(ws.stateDb, 'SELECT status FROM runs').map((x) => x.status)).toEqual(['interrupted']);
    } finally {
      daemon.kill('SIGKILL');
    }
  }, 60_000);
});

function withHole(c: CandleColumns, at: number, n: number): CandleColumns {
  const keep = (a: Float64Array): Float64Array => Float64Array.from([...a.subarray(0, at), ...a.subarray(at + n)]);
  return { length: c.length - n, ts: keep(c.ts), open: keep(c.open), high: keep(c.high), low: keep(c.low), close: keep(c.close), volume: keep(c.volume) };
}

function runNode(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { cwd: REPO_ROOT, env: envWith() });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
