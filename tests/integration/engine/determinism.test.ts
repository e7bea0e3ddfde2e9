import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { runBacktest } from '../../../src/app/modes/backtest.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { HAS_SHARED_DATA } from '../../support/shared-data.ts';
import { configWith, importShared, tempWorkspace } from '../../support/backtest-env.ts';

const ws = tempWorkspace();
const base = [
  ...ws.sets,
  'backtest.data_exchange=binance', 'backtest.from=2022-01-01', 'backtest.to=2024-01-01', 'backtest.auto_download=false',
  'market.symbols=BTC/USDT,ETH/USDT', 'strategies.enabled=simple_ma,rsi_reversion,donchian_trend',
  'execution.slippage_bps=3', 'backtest.batch_size=1000',
];

async function run(isolation: string): Promise<{ fills: string; metrics: string; resultsDir: string; runId: string }> {
  const { config, raw } = configWith([...base, `strategies.isolation=${isolation}`]);
  const r = await runBacktest({ config, raw, logger: silentLogger() });
  return { fills: readFileSync(join(r.resultsDir, 'fills.csv'), 'utf8'), metrics: readFileSync(join(r.resultsDir, 'metrics.json'), 'utf8'), resultsDir: r.resultsDir, runId: r.runId };
}

describe.skipIf(!HAS_SHARED_DATA)('backtest determinism', () => {
  beforeAll(async () => {
    const { config } = configWith(base);
    await importShared(config.general.data_dir, [
      { file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' },
      { file: 'ETHUSDT-1h.csv', symbol: 'ETH/USDT' },
    ]);
  });

  it('gives byte-identical fills.csv and metrics.json across runs and across inline, worker and process isolation', async () => {
    const a = await run('inline');
    const b = await run('inline');
    const p = await run('process');
    const w = await run('worker');
    expect(a.fills.split('\n').length).toBeGreaterThan(50);
    expect(b.fills).toBe(a.fills);
    expect(b.metrics).toBe(a.metrics);
    expect(p.fills).toBe(a.fills);
    expect(p.metrics).toBe(a.metrics);
    expect(w.fills).toBe(a.fills);
    expect(w.metrics).toBe(a.metrics);
    for (const f of ['config.ini', 'metrics.json', 'trades.csv', 'fills.csv', 'equity.csv', 'report.txt']) {
      expect(readFileSync(join(a.resultsDir, f), 'utf8').length, f).toBeGreaterThan(10);
    }
  });

  it('records the run, its signals, risk decisions, orders, fills and one equity row per step in State/trading.db', async () => {
    const r = await run('inline');
    const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
    const count = (t: string): number => (db.prepare(`SELECT COUNT(*) n FROM ${t} WHERE run_id = ?`).get(r.runId) as { n: number }).n;
    expect(db.prepare('SELECT status FROM runs WHERE id = ?').get(r.runId)).toEqual({ status: 'completed' });
    const fills = r.fills.trim().split('\n').length - 1;
    expect(count('fills')).toBe(fills);
    expect(count('signals')).toBeGreaterThan(0);
    expect(count('risk_decisions')).toBe(count('signals'));
    expect(count('orders')).toBeGreaterThan(0);
    const equityRows = readFileSync(join(r.resultsDir, 'equity.csv'), 'utf8').trim().split('\n').length - 1;
    expect(count('equity')).toBe(equityRows);
    expect(count('backtest_summaries')).toBe(1);
    db.close();
  });
});
