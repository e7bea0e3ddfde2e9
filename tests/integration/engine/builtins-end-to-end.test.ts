import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { runBacktest } from '../../../src/app/modes/backtest.ts';
import { BUILTIN_IDS } from '../../../src/strategies/loader.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { HAS_SHARED_DATA } from '../../support/shared-data.ts';
import { configWith, importShared, tempWorkspace } from '../../support/backtest-env.ts';

const ws = tempWorkspace();
const SYMBOLS = 'BTC/USDT,ETH/USDT,SOL/USDT';

describe.skipIf(!HAS_SHARED_DATA)('every built-in strategy end to end on real data', () => {
  beforeAll(async () => {
    const { config } = configWith(ws.sets);
    await importShared(config.general.data_dir, [
      { file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' },
      { file: 'ETHUSDT-1h.csv', symbol: 'ETH/USDT' },
      { file: 'SOLUSDT-1h.csv', symbol: 'SOL/USDT' },
    ]);
  });

  it('runs all eight built-ins together through the risk gate and writes every result file', async () => {
    expect([...BUILTIN_IDS].sort()).toHaveLength(8);
    const { config, raw } = configWith([
      ...ws.sets,
      'backtest.data_exchange=binance', 'backtest.from=2022-01-01', 'backtest.to=2023-07-01', 'backtest.auto_download=false',
      `market.symbols=${SYMBOLS}`, `strategies.enabled=${[...BUILTIN_IDS].join(',')}`, 'strategies.isolation=inline',
      'risk.position_pct=30', 'risk.max_open_positions=12', 'risk.max_open_positions_per_strategy=3',
    ]);
    const r = await runBacktest({ config, raw, logger: silentLogger() });
    for (const f of ['config.ini', 'metrics.json', 'trades.csv', 'fills.csv', 'equity.csv', 'report.txt']) expect(existsSync(join(r.resultsDir, f)), f).toBe(true);
    const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
    const perStrategy = db.prepare('SELECT strategy_id, COUNT(*) n FROM signals WHERE run_id = ? GROUP BY strategy_id').all(r.runId) as Array<{ strategy_id: string; n: number }>;
    db.close();
    // Every strategy decided something on 18 months of three real symbols.
    expect(perStrategy.map((x) => x.strategy_id).sort()).toEqual([...BUILTIN_IDS].sort());
    const metrics = JSON.parse(readFileSync(join(r.resultsDir, 'metrics.json'), 'utf8'));
    expect(metrics).toBeTypeOf('object');
    expect(readFileSync(join(r.resultsDir, 'report.txt'), 'utf8')).toMatch(/Sharpe/i);
  });
});
