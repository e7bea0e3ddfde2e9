import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runDryRun } from '../../../src/app/modes/dry-run.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';
import { configWith, tempWorkspace } from '../../support/backtest-env.ts';
import { CLI_ARGS } from '../../support/cli-entry.ts';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (statSync(p).isFile()) out.push(p);
  }
  return out;
}

describe('--dry-run, the whole daemon on the synthetic stream', () => {
  it('exits 0 with signals, orders, fills and equity in State/trading.db, each strategy in its own process, and no secret anywhere', () => {
    const ws = tempWorkspace('ct-dry-');
    const key = 'ct-test-apikey-5e1d9a77';
    const secret = 'ct-test-apisecret-0b3c44f2';
    const r = spawnSync(
      process.execPath,
      [...CLI_ARGS, '--dry-run', '--max-candles', '2000', '--strategies', 'simple_ma,ema_cross,rsi_reversion', '--json', ...ws.sets.flatMap((s) => ['--set', s]), '--set', 'general.log_level=debug'],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000, env: { ...process.env, BYBIT_API_KEY: key, BYBIT_API_SECRET: secret } },
    );
    expect(r.stderr).not.toMatch(/CT_ERR_/);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(summary.status).toBe('completed');
    expect(summary.steps).toBe(2000);
    const pids = Object.values(summary.strategyPids as Record<string, number>);
    expect(pids).toHaveLength(3);
    expect(new Set(pids).size).toBe(3);
    for (const pid of pids) expect(pid).not.toBe(r.pid);

    const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
    const count = (t: string): number => (db.prepare(`SELECT COUNT(*) n FROM ${t} WHERE run_id = ?`).get(summary.run_id) as { n: number }).n;
    expect(count('signals')).toBeGreaterThan(0);
    expect(count('orders')).toBeGreaterThan(0);
    expect(count('fills')).toBeGreaterThan(0);
    expect(count('equity')).toBe(2000);
    expect(db.prepare('SELECT status FROM runs WHERE id = ?').get(summary.run_id)).toEqual({ status: 'completed' });
    db.close();

    // The configured key and secret appear in no log line, no state file, and not in stdout/stderr.
    const files = [...filesUnder(join(ws.root, 'logs')), ...filesUnder(join(ws.root, 'State'))];
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      const bytes = readFileSync(f);
      expect(bytes.includes(key), f).toBe(false);
      expect(bytes.includes(secret), f).toBe(false);
    }
    expect(r.stdout + r.stderr).not.toContain(key);
  });

  it('goes on when a strategy process dies: the strategy is restarted and the others keep trading', async () => {
    const ws = tempWorkspace('ct-crash-');
    const start = Date.UTC(2024, 0, 1);
    const atTs = start + 699 * 3_600_000;
    const { config, raw } = configWith([
      ...ws.sets, 'general.mode=dry-run', 'dry_run.max_candles=1500', 'dry_run.speed=400', 'dry_run.start=2024-01-01',
      'strategies.enabled=simple_ma,crash_once', 'strategies.isolation=process', 'strategies.custom_dir=tests/fixtures/custom-strategies',
      `strategy.crash_once.at_ts=${atTs}`, 'strategies.restart_base_ms=50', 'strategies.restart_cap_ms=200',
    ]);
    const r = await runDryRun({ config, raw, logger: silentLogger() });
    expect(r.status).toBe('completed');
    expect(r.steps).toBe(1500);
    expect(r.restarts.crash_once).toBeGreaterThanOrEqual(1);
    expect(r.restarts.simple_ma).toBe(0);
    const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
    const events = db.prepare('SELECT instance_id, kind, code FROM strategy_events WHERE run_id = ?').all(r.runId) as Array<{ instance_id: string; kind: string; code: string | null }>;
    expect(events.some((e) => e.instance_id === 'crash_once' && e.code === 'CT_ERR_STRATEGY_DIED')).toBe(true);
    // Both strategies decided after the crash: simple_ma never stopped, crash_once came back.
    const after = (id: string): number => (db.prepare('SELECT COUNT(*) n FROM signals WHERE run_id = ? AND strategy_id = ? AND ts > ?').get(r.runId, id, atTs + 24 * 3_600_000) as { n: number }).n;
    expect(after('simple_ma')).toBeGreaterThan(0);
    expect(after('crash_once')).toBeGreaterThan(0);
    db.close();
  });
});
