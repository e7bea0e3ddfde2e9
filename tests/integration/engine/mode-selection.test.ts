import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { CLI_ARGS } from '../../support/cli-entry.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...CLI_ARGS, ...args], {
    cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, BYBIT_API_KEY: '', BYBIT_API_SECRET: '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sets = (list: string[]): string[] => list.flatMap((s) => ['--set', s]);

describe('choosing the mode', () => {
  it('runs dry-run as a mode of its own: --mode dry-run, with --max-candles setting dry_run.max_candles', () => {
    const ws = tempWorkspace('ct-mode-dry-');
    const r = cli(['--mode', 'dry-run', '--max-candles', '40', '--strategies', 'simple_ma', '--isolation', 'inline', '--json', ...sets(ws.sets)]);
    expect(r.stderr).not.toMatch(/CT_ERR_/);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { run_id: string; status: string; steps: number };
    expect(summary).toMatchObject({ status: 'completed', steps: 40 });
    const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
    try {
      const run = db.prepare('SELECT mode, status, config_snapshot FROM runs WHERE id = ?').get(summary.run_id) as { mode: string; status: string; config_snapshot: string };
      expect(run).toMatchObject({ mode: 'dry-run', status: 'completed' });
      expect(run.config_snapshot).toMatch(/\[general\]\nmode = dry-run\n/);
    } finally {
      db.close();
    }
  }, 150_000);

  it('refuses --dry-run together with another --mode, and --max-candles in a mode without a step limit (exit 2)', () => {
    const both = cli(['--dry-run', '--mode', 'backtest']);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('CT_ERR_USAGE');
    expect(both.stderr).toContain('--dry-run is --mode dry-run: it cannot be combined with --mode backtest');
    const limit = cli(['--mode', 'backtest', '--max-candles', '5']);
    expect(limit.status).toBe(2);
    expect(limit.stderr).toContain('--max-candles 5: backtest mode has no step limit');
    expect(limit.stderr.split('\n').filter((l) => l.trim().length > 0)).toHaveLength(1);
  }, 60_000);

  it('live mode asks for both confirmations, then the credentials, and only then contacts the exchange', () => {
    const unconfirmed = cli(['--mode', 'live']);
    expect(unconfirmed.status).toBe(2);
    expect(unconfirmed.stderr).toContain('CT_ERR_LIVE_NOT_CONFIRMED');
    const flagOnly = cli(['--mode', 'live', '--confirm-live']);
    expect(flagOnly.stderr).toContain('CT_ERR_LIVE_NOT_CONFIRMED');
    const noKeys = cli(['--mode', 'live', '--confirm-live', '--set', 'live.confirm=true']);
    expect(noKeys.status).toBe(2);
    expect(noKeys.stderr).toContain('CT_ERR_SECRET_MISSING');
    // Confirmed, with keys: it goes to the exchange (here a closed loopback port) before anything else.
    const ws = tempWorkspace('ct-mode-live-');
    const unreachable = cli(['--mode', 'live', '--confirm-live', ...sets([...ws.sets, 'live.confirm=true', 'exchange.rest_url=http://127.0.0.1:1', 'exchange.ws_url=ws://127.0.0.1:1', 'exchange.max_retries=0'])],
      { BYBIT_API_KEY: 'ct-test-key-0001', BYBIT_API_SECRET: 'ct-test-secret-0001' });
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/CT_ERR_(RETRIES_EXHAUSTED|EXCHANGE_UNAVAILABLE).*market\/time/);
    expect(unreachable.stderr).not.toContain('ct-test-secret-0001');
  }, 90_000);
});
