import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { csvRows, executionKey, runBacktestCli, runBacktestInProcess, tempWorkspace, type BacktestRun } from '../../support/backtest-env.ts';
import { realSpotMarket, syntheticMarket, type BacktestMarket } from '../../support/backtest-markets.ts';
import { LINEAR_MARKET, SPOT_MARKET } from '../../support/synthetic-store.ts';

/**
 * Same config and data give byte-identical results: run again, run in another process (the CLI,
 * as a user runs it), and whatever the isolation of the strategies.
 */
const RESULT_FILES = ['config.ini', 'metrics.json', 'trades.csv', 'fills.csv', 'equity.csv', 'report.txt'];

function expectIdentical(got: BacktestRun, want: BacktestRun, what: string): void {
  expect(got.code, `${what}: ${got.stderr}`).toBe(0);
  expect(got.file('fills.csv'), `${what}: fills.csv`).toBe(want.file('fills.csv'));
  expect(got.file('metrics.json'), `${what}: metrics.json`).toBe(want.file('metrics.json'));
}

// The run in a separate CLI process checks a property of the code, not of the candles: once,
// on the synthetic market (a CLI start costs seconds).
const SPOT_CASES: ReadonlyArray<{ market: BacktestMarket; alsoViaCli: boolean }> = [
  { market: syntheticMarket(SPOT_MARKET), alsoViaCli: true },
  { market: realSpotMarket(['BTC/USDT', 'ETH/USDT'], '2022-01-01', '2024-01-01'), alsoViaCli: false },
];

for (const { market, alsoViaCli } of SPOT_CASES) {
  describe.skipIf(!market.available)(`backtest determinism on ${market.name}`, () => {
    const ws = tempWorkspace('ct-det-');
    let base: string[];
    const runs: Record<string, BacktestRun> = {};
    const run = (isolation: string) => runBacktestInProcess([...base, `strategies.isolation=${isolation}`]);

    beforeAll(async () => {
      base = [
        ...ws.sets, ...(await market.prepare(ws.dataDir)),
        'strategies.enabled=simple_ma,rsi_reversion,donchian_trend', executionKey('slippage_bps=3'), 'backtest.batch_size=1000',
      ];
      runs.a = await run('inline');
      expect(runs.a.code, runs.a.stderr).toBe(0);
    });

    it('gives byte-identical fills.csv and metrics.json across runs and across inline, worker and process isolation', async () => {
      const { a } = runs;
      expect(a!.file('fills.csv').split('\n').length).toBeGreaterThan(50);
      // every strategy traded: identical files of a run where one strategy is idle prove less
      expect(new Set(csvRows(a!.file('trades.csv')).map((t) => t.strategy))).toEqual(new Set(['simple_ma', 'rsi_reversion', 'donchian_trend']));
      expectIdentical(await run('inline'), a!, 'second inline run');
      if (alsoViaCli) expectIdentical(await runBacktestCli([...base, 'strategies.isolation=inline']), a!, 'the CLI in its own process');
      expectIdentical(await run('process'), a!, 'process isolation');
      expectIdentical(await run('worker'), a!, 'worker isolation');
      for (const f of RESULT_FILES) expect(a!.file(f).length, f).toBeGreaterThan(10);
    });

    it('records the run, its signals, risk decisions, orders, fills and one equity row per step in State/trading.db', () => {
      const r = runs.a!;
      const db = new Database(ws.stateDb, { readonly: true });
      const count = (t: string): number => (db.prepare(`SELECT COUNT(*) n FROM ${t} WHERE run_id = ?`).get(r.runId) as { n: number }).n;
      expect(db.prepare('SELECT status FROM runs WHERE id = ?').get(r.runId)).toEqual({ status: 'completed' });
      expect(count('fills')).toBe(csvRows(r.file('fills.csv')).length);
      expect(count('signals')).toBeGreaterThan(0);
      expect(count('risk_decisions')).toBe(count('signals'));
      expect(count('orders')).toBeGreaterThan(0);
      expect(count('equity')).toBe(csvRows(r.file('equity.csv')).length);
      expect(count('backtest_summaries')).toBe(1);
      db.close();
    });
  });
}

describe('backtest determinism on the seeded synthetic perpetuals (shorts and funding)', () => {
  const ws = tempWorkspace('ct-det-linear-');
  let base: string[];

  beforeAll(async () => {
    base = [...ws.sets, ...(await syntheticMarket(LINEAR_MARKET).prepare(ws.dataDir)), 'strategies.enabled=simple_ma,ema_cross', 'backtest.batch_size=1000'];
  });

  it('gives byte-identical fills.csv and metrics.json in inline and process isolation, with short trades and funding paid', async () => {
    const a = await runBacktestInProcess([...base, 'strategies.isolation=inline']);
    expect(a.code, a.stderr).toBe(0);
    const trades = csvRows(a.file('trades.csv'));
    expect(trades.filter((t) => t.direction === 'short').length).toBeGreaterThan(10);
    expect(trades.filter((t) => Number(t.funding) !== 0).length).toBeGreaterThan(10);
    const db = new Database(ws.stateDb, { readonly: true });
    const payments = db.prepare(`SELECT SUM(amount > 0) received, SUM(amount < 0) paid, SUM(source <> 'history') fallback FROM funding_payments WHERE run_id = ?`).get(a.runId) as { received: number; paid: number; fallback: number };
    db.close();
    // the stored funding history is used everywhere: no fallback rate
    expect(payments.fallback).toBe(0);
    expect(payments.received).toBeGreaterThan(0);
    expect(payments.paid).toBeGreaterThan(0);
    expectIdentical(await runBacktestInProcess([...base, 'strategies.isolation=process']), a, 'process isolation');
  });
});

