import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/app/modes/backtest.ts';
import { isCtError } from '../../../src/core/errors.ts';
import { CandleStore } from '../../../src/data/store.ts';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { configWith, tempWorkspace } from '../../support/backtest-env.ts';
import { CLI_ARGS } from '../../support/cli-entry.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

const H = 3_600_000;
const FROM = Date.UTC(2024, 0, 1);
const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];
const FIXTURES = 'strategies.custom_dir=tests/fixtures/custom-strategies';

/** The seeded synthetic market written into a temporary store as exchange `synthetic`. */
async function syntheticStore(dataDir: string, count: number): Promise<void> {
  const store = new CandleStore(dataDir);
  for (const [symbol, cols] of generateSynthetic({ seed: 11, symbols: SYMBOLS, timeframe: '1h', from: FROM, count })) {
    await store.write({ exchange: 'synthetic', market: 'spot', symbol, timeframe: '1h' }, cols);
  }
}

function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) resolve();
      else if (Date.now() - t0 > timeoutMs) reject(new Error(`condition not met within ${timeoutMs} ms`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

describe('the session ends a run on every exit path', () => {
  it('a backtest stopped by SIGINT mid-run ends interrupted, writes its results for what ran and exits 0', async () => {
    const ws = tempWorkspace('ct-sigint-');
    await syntheticStore(join(ws.root, 'data'), 24 * 91);
    // Inline strategies never wait on I/O: the signal is seen only because the session yields between batches.
    const sets = [
      ...ws.sets, FIXTURES, 'strategies.enabled=slow_momentum', 'strategy.slow_momentum.spin=1000000', 'strategies.isolation=inline',
      'backtest.data_exchange=synthetic', 'backtest.auto_download=false', 'backtest.from=2024-01-01', 'backtest.to=2024-04-01', 'backtest.batch_size=8',
      `market.symbols=${SYMBOLS.join(',')}`,
    ];
    const child = spawn(process.execPath, [...CLI_ARGS, '--mode', 'backtest', '--json', ...sets.flatMap((s) => ['--set', s])], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    const killer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    try {
      const log = join(ws.root, 'logs', 'cryptotrader.log');
      await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('backtest started'), 60_000);
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGINT');
      const { code, signal } = await exited;
      expect(stderr).not.toMatch(/CT_ERR_/);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      // `candles` in the summary is the number of candle steps (metrics.period.candles).
      const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { run_id: string; status: string; candles: number; results_dir: string };
      expect(summary.status).toBe('interrupted');
      const steps = summary.candles;
      expect(steps).toBeGreaterThan(0);
      expect(steps).toBeLessThan((24 * 91) / 2);

      const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
      try {
        expect(db.prepare('SELECT mode, status, ended_at IS NOT NULL AS ended, error FROM runs WHERE id = ?').get(summary.run_id)).toEqual({ mode: 'backtest', status: 'interrupted', ended: 1, error: null });
        expect((db.prepare('SELECT COUNT(*) n FROM equity WHERE run_id = ?').get(summary.run_id) as { n: number }).n).toBe(steps);
        expect(db.prepare('SELECT results_dir FROM backtest_summaries WHERE run_id = ?').get(summary.run_id)).toEqual({ results_dir: summary.results_dir });
      } finally {
        db.close();
      }
      // The results describe what ran: the metrics' period is the steps traded, one equity row each.
      const metrics = JSON.parse(readFileSync(join(summary.results_dir, 'metrics.json'), 'utf8')) as { period: { candles: number; endTs: number } };
      expect(metrics.period).toMatchObject({ candles: steps, endTs: FROM + steps * H });
      expect(readFileSync(join(summary.results_dir, 'equity.csv'), 'utf8').trim().split('\n')).toHaveLength(steps + 1);
      for (const f of ['config.ini', 'trades.csv', 'fills.csv', 'report.txt']) expect(existsSync(join(summary.results_dir, f)), f).toBe(true);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  }, 180_000);

  it('records onFinish signals, passes them through the risk gate at the last prices, and executes what is approved', async () => {
    const ws = tempWorkspace('ct-finish-');
    const candles = generateSynthetic({ seed: 5, symbols: SYMBOLS, timeframe: '1h', from: FROM, count: 200 });
    const lastTs = FROM + 199 * H;
    const lastClose = candles.get('BTC/USDT')!.close[199]!;
    const base = [...ws.sets, FIXTURES, 'strategies.enabled=finish_signals', 'strategies.isolation=inline', `market.symbols=${SYMBOLS.join(',')}`];

    for (const fillModel of ['next_open', 'close'] as const) {
      const { config, raw } = configWith([...base, `execution.fill_model=${fillModel}`]);
      const r = await runBacktest({ config, raw, logger: silentLogger(), candles });
      const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
      try {
        const signals = db.prepare('SELECT id, symbol, ts, kind FROM signals WHERE run_id = ? ORDER BY symbol').all(r.runId) as Array<{ id: string; symbol: string; ts: number; kind: string }>;
        expect(signals.map((s) => [s.symbol, s.kind, s.ts])).toEqual([['BTC/USDT', 'enter_long', lastTs], ['ETH/USDT', 'exit', lastTs]]);
        expect(db.prepare('SELECT status FROM runs WHERE id = ?').get(r.runId)).toEqual({ status: 'completed' });
        const decisions = db.prepare('SELECT symbol, approved, reason_code FROM risk_decisions WHERE run_id = ? ORDER BY symbol').all(r.runId);
        expect(decisions).toEqual([{ symbol: 'BTC/USDT', approved: 1, reason_code: null }, { symbol: 'ETH/USDT', approved: 0, reason_code: 'NO_POSITION' }]);
        // Sized at the last step's close: 95 % of the equity (percent_equity sizing, one strategy).
        const orders = db.prepare('SELECT id, symbol, side, qty, decided_ts FROM orders WHERE run_id = ?').all(r.runId) as Array<{ id: string; symbol: string; side: string; qty: number; decided_ts: number }>;
        expect(orders).toHaveLength(1);
        expect(orders[0]).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', decided_ts: lastTs });
        expect(orders[0]!.qty).toBeCloseTo(9500 / lastClose, 5);
        const fills = db.prepare('SELECT order_id, reason, price FROM fills WHERE run_id = ? ORDER BY rowid').all(r.runId) as Array<{ order_id: string; reason: string; price: number }>;
        const notes = db.prepare('SELECT order_id, kind FROM execution_notes WHERE run_id = ?').all(r.runId);
        if (fillModel === 'next_open') {
          // No later candle to fill at: the end-of-run close cancels the order, with a note.
          expect(fills).toEqual([]);
          expect(notes).toEqual([{ order_id: orders[0]!.id, kind: 'cancelled' }]);
        } else {
          // Filled at the decision close, then closed by the end of the run like any position.
          expect(fills.map((f) => f.reason)).toEqual(['signal', 'end_of_run']);
          expect(notes).toEqual([]);
          expect(r.summary.trades).toBe(1);
        }
      } finally {
        db.close();
      }
    }
  });

  it('marks the run failed with the error line when a strategy throws in a backtest, and rethrows it', async () => {
    const ws = tempWorkspace('ct-failed-');
    const candles = generateSynthetic({ seed: 5, symbols: SYMBOLS, timeframe: '1h', from: FROM, count: 100 });
    const { config, raw } = configWith([...ws.sets, FIXTURES, 'strategies.enabled=throws_at', `strategy.throws_at.at_ts=${FROM + 50 * H}`, 'strategies.isolation=inline', `market.symbols=${SYMBOLS.join(',')}`]);
    const err = await runBacktest({ config, raw, logger: silentLogger(), candles, runId: 'backtest-fails-1' }).catch((e: unknown) => e);
    expect(isCtError(err) && err.code).toBe('CT_ERR_STRATEGY_THREW');
    const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
    try {
      const run = db.prepare('SELECT status, ended_at IS NOT NULL AS ended, error FROM runs WHERE id = ?').get('backtest-fails-1') as { status: string; ended: number; error: string };
      expect(run).toMatchObject({ status: 'failed', ended: 1 });
      expect(run.error).toMatch(/^CT_ERR_STRATEGY_THREW: .*throws_at: fails on purpose/);
      expect(db.prepare('SELECT COUNT(*) n FROM backtest_summaries WHERE run_id = ?').get('backtest-fails-1')).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
