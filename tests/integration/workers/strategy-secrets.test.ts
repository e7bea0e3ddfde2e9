/**
 * Secrets out of reach: a strategy process cannot read the project's .env by any known escape, what
 * a strategy hands the daemon is scrubbed before it is stored or printed, forward and live run
 * strategies only in processes, and no config error shows a secret. A real temp project with a
 * .env of fake credentials, real CLI daemons, real SQLite.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticStore } from '../../integration/cli/cli-env.ts';
import { FAKE_KEY, FAKE_SECRET, filesContaining, HOSTILE, runCli, sets, tempProject } from './helpers/temp-project.ts';

const projects: string[] = [];
afterAll(() => {
  for (const p of projects) rmSync(p, { recursive: true, force: true });
});
function project(): string {
  const p = tempProject();
  projects.push(p);
  return p;
}

const ESCAPES = ['constructor:.env', 'binding', 'createRequire', 'module._load', 'import'];
const summary = (stdout: string): { run_id: string; status: string } => JSON.parse(stdout.trim().split('\n').at(-1)!);

function reasons(dir: string, runId: string): string[] {
  const db = new Database(join(dir, 'State', 'trading.db'), { readonly: true });
  try {
    return (db.prepare(`SELECT reason FROM signals WHERE run_id = ? AND strategy_id = 'steal_env'`).all(runId) as Array<{ reason: string }>).map((r) => r.reason);
  } finally {
    db.close();
  }
}

/** Neither value in any byte of State/ (database, WAL, shm), logs/, results/, stdout or stderr. */
function expectNoSecretAnywhere(dir: string, out: { stdout: string; stderr: string }): void {
  const places = ['State', 'logs', 'results'].map((d) => join(dir, d));
  for (const value of [FAKE_KEY, FAKE_SECRET]) {
    expect(filesContaining(places, value)).toEqual([]);
    expect(out.stdout).not.toContain(value);
    expect(out.stderr).not.toContain(value);
  }
}

const thief = (isolation: string): string[] => [
  '--dry-run', '--max-candles', '30', '--json',
  ...sets(['strategies.enabled=simple_ma,steal_env', `strategies.custom_dir=${HOSTILE}`, `strategies.isolation=${isolation}`, 'strategies.restart_base_ms=20', 'dry_run.speed=60']),
];

describe('a strategy trying to read the API credentials', () => {
  it('gets nothing from .env by any known escape in a strategy process, and neither value appears in State/, logs/, results/, stdout or stderr', async () => {
    const dir = project();
    // The credentials are in .env AND in the daemon's real environment.
    const r = await runCli(dir, thief('process'), { env: { BYBIT_API_KEY: FAKE_KEY, BYBIT_API_SECRET: FAKE_SECRET } });
    expect(r.code, r.stderr).toBe(0);
    const s = summary(r.stdout);
    const got = reasons(dir, s.run_id);
    expect(got.length).toBeGreaterThan(0);
    // Every escape was tried, and the sandbox refused each one (not a missing file: a denied read).
    for (const e of ESCAPES) expect(got[0]).toContain(`${e}!ERR_ACCESS_DENIED`);
    expect(got[0]).toContain('environ!ERR_ACCESS_DENIED');
    // The environment the strategy process got holds no credential.
    expect(got[0]).toMatch(/env=\{/);
    expect(got[0]).not.toMatch(/BYBIT_API_(KEY|SECRET)/);
    expectNoSecretAnywhere(dir, r);
  }, 60_000);

  it('in inline isolation (no boundary: it reads .env) still has every value scrubbed from what the daemon stores and prints', async () => {
    const dir = project();
    const r = await runCli(dir, thief('inline'));
    expect(r.code, r.stderr).toBe(0);
    const got = reasons(dir, summary(r.stdout).run_id);
    // It did read the file: the variable names are there, the values replaced.
    expect(got[0]).toContain('BYBIT_API_KEY=[REDACTED]');
    expect(got[0]).toContain('BYBIT_API_SECRET=[REDACTED]');
    expectNoSecretAnywhere(dir, r);
  }, 60_000);
});

describe('a backtest of a strategy that read the credentials (inline: no boundary)', () => {
  it('writes results, state and logs without either value', async () => {
    const dir = project();
    await writeSyntheticStore(join(dir, 'data'), { symbols: ['BTC/USDT'], timeframe: '1h', from: '2024-01-01', to: '2024-01-05' });
    const r = await runCli(dir, [
      '--json',
      ...sets(['general.mode=backtest', 'backtest.data_exchange=binance', 'backtest.auto_download=false', 'market.symbols=BTC/USDT', 'market.timeframe=1h',
        'backtest.from=2024-01-01', 'backtest.to=2024-01-05', 'strategies.enabled=steal_env', `strategies.custom_dir=${HOSTILE}`, 'strategy.steal_env.throw_at=0',
        'strategies.isolation=inline']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const resultsDir = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { results_dir: string }).results_dir;
    // The loot reached the results (the trades carry the signal reasons), scrubbed.
    expect(filesContaining([resultsDir], '[REDACTED]').length + filesContaining([join(dir, 'State')], '[REDACTED]').length).toBeGreaterThan(0);
    expectNoSecretAnywhere(dir, r);
  }, 60_000);
});

describe('forward and live run strategies only in processes', () => {
  for (const mode of ['forward', 'live'] as const) {
    for (const isolation of ['worker', 'inline'] as const) {
      it(`${mode} refuses strategies.isolation = ${isolation} with exit 2 and one line naming the key`, async () => {
        const dir = project();
        const r = await runCli(dir, ['--mode', mode, ...sets([`strategies.isolation=${isolation}`, 'exchange.rest_url=http://127.0.0.1:9', 'exchange.ws_url=ws://127.0.0.1:9'])]);
        expect(r.code).toBe(2);
        const lines = r.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain('CT_ERR_CONFIG_INVALID');
        expect(lines[0]).toContain(`strategies.isolation = ${isolation} is not allowed in ${mode} mode: expected process`);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }, 30_000);
    }
  }
});

describe('a config error', () => {
  it('never shows a secret: not given as secrets.api_key_env, not given to another key, not in a malformed --set', async () => {
    const dir = project();
    const cases = [
      ['--set', `secrets.api_key_env=${FAKE_KEY}`],
      ['--set', `secrets.api_secret_env=${FAKE_SECRET.toLowerCase()}`],
      ['--set', `risk.sizing=${FAKE_SECRET}`],
      ['--set', FAKE_KEY],
    ];
    for (const args of cases) {
      const r = await runCli(dir, [...args, 'config', 'check']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('CT_ERR_CONFIG_INVALID');
      for (const v of [FAKE_KEY, FAKE_SECRET, FAKE_SECRET.toLowerCase()]) expect(r.stderr).not.toContain(v);
      expect(r.stdout).toBe('');
    }
    const named = await runCli(dir, ['--set', `secrets.api_key_env=${FAKE_KEY}`, 'config', 'check']);
    expect(named.stderr.trim().split('\n')).toHaveLength(1);
    expect(named.stderr).toContain('secrets.api_key_env is invalid (its value is not shown');
  }, 60_000);
});
