import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { BUILTIN_IDS } from '../../../src/strategies/loader.ts';
import { csvRows, runBacktestInProcess, tempWorkspace } from '../../support/backtest-env.ts';
import { realSpotMarket, syntheticMarket, type BacktestMarket } from '../../support/backtest-markets.ts';
import { LINEAR_MARKET, SPOT_MARKET } from '../../support/synthetic-store.ts';

const RESULT_FILES = ['config.ini', 'metrics.json', 'trades.csv', 'fills.csv', 'equity.csv', 'report.txt'];
// Room for all nine on one account: a position is 30 % of a strategy's share, up to 3 each.
const ROOMY_RISK = ['risk.position_pct=30', 'risk.max_open_positions=12', 'risk.max_open_positions_per_strategy=3'];

const CASES: ReadonlyArray<{ market: BacktestMarket; period: string[] }> = [
  { market: syntheticMarket(SPOT_MARKET), period: [] },
  // 18 months of three real symbols
  { market: realSpotMarket(['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], '2022-01-01', '2024-01-01'), period: ['backtest.to=2023-07-01'] },
];

async function runAllBuiltins(market: BacktestMarket, extra: string[]): Promise<{ perStrategy: Map<string, { signals: number; trades: number; shorts: number; funded: number }>; run: Awaited<ReturnType<typeof runBacktestInProcess>> }> {
  const ws = tempWorkspace('ct-builtins-');
  const run = await runBacktestInProcess([
    ...ws.sets, ...(await market.prepare(ws.dataDir)), ...extra,
    `strategies.enabled=${BUILTIN_IDS.join(',')}`, 'strategies.isolation=inline', ...ROOMY_RISK,
  ]);
  expect(run.code, run.stderr).toBe(0);
  const perStrategy = new Map(BUILTIN_IDS.map((id) => [id, { signals: 0, trades: 0, shorts: 0, funded: 0 }]));
  const db = new Database(ws.stateDb, { readonly: true });
  for (const r of db.prepare('SELECT strategy_id, COUNT(*) n FROM signals WHERE run_id = ? GROUP BY strategy_id').all(run.runId) as Array<{ strategy_id: string; n: number }>) {
    perStrategy.get(r.strategy_id)!.signals = r.n;
  }
  db.close();
  for (const t of csvRows(run.file('trades.csv'))) {
    const s = perStrategy.get(t.strategy!)!;
    s.trades++;
    if (t.direction === 'short') s.shorts++;
    if (Number(t.funding) !== 0) s.funded++;
  }
  return { perStrategy, run };
}

for (const { market, period } of CASES) {
  describe.skipIf(!market.available)(`every built-in strategy end to end on ${market.name}`, () => {
    it('runs all nine built-ins together through the risk gate, each one trades, and every result file is written', async () => {
      expect([...BUILTIN_IDS].sort()).toHaveLength(9);
      const { perStrategy, run } = await runAllBuiltins(market, period);
      for (const f of RESULT_FILES) expect(existsSync(join(run.resultsDir!, f)), f).toBe(true);
      // A strategy that never trades proves nothing: each one decided and completed trades.
      for (const [id, s] of perStrategy) {
        expect(s.signals, `${id} signals`).toBeGreaterThan(0);
        expect(s.trades, `${id} trades`).toBeGreaterThan(0);
      }
      const metrics = JSON.parse(run.file('metrics.json')) as { trades: { count: number } };
      expect(metrics.trades.count).toBe([...perStrategy.values()].reduce((n, s) => n + s.trades, 0));
      expect(run.file('report.txt')).toMatch(/Sharpe/i);
    });
  });
}

describe('every built-in strategy end to end on the seeded synthetic perpetuals', () => {
  it('each one trades on linear, the trend followers go short too, and open positions pay or receive funding', async () => {
    const { perStrategy } = await runAllBuiltins(syntheticMarket(LINEAR_MARKET), []);
    for (const [id, s] of perStrategy) expect(s.trades, `${id} trades`).toBeGreaterThan(0);
    // the built-ins that take both sides on a perpetual
    for (const id of ['simple_ma', 'ema_cross', 'trend_following']) expect(perStrategy.get(id)!.shorts, `${id} shorts`).toBeGreaterThan(0);
    expect([...perStrategy.values()].reduce((n, s) => n + s.funded, 0)).toBeGreaterThan(100);
  });
});
