import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { importCsv } from '../../../src/data/import-csv.ts';
import { csvRows, tempWorkspace } from '../../support/backtest-env.ts';
import { launchBrowser, pageWithErrors, screenshotPath } from '../../support/browser.ts';
import { runCliProcess } from '../../support/cli-process.ts';
import { HAS_SHARED_DATA, sharedFile, SPOT_1H_FILES } from '../../support/shared-data.ts';
import { marketSets, syntheticCandles, writeSyntheticStore, SPOT_MARKET, type SyntheticMarketSpec } from '../../support/synthetic-store.ts';
import { expectOneCleanLine, setArgs } from './cli-env.ts';

/** `rank` as a user runs it: the built CLI on a temp store, its SQLite file and its results folder. */

const SPEC: SyntheticMarketSpec = { ...SPOT_MARKET, symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], count: 40 * 24 };
const FEE_BPS = 10;
const SLIPPAGE_BPS = 5;
const HOUR = 3_600_000;

function rankArgs(sets: readonly string[], extra: readonly string[] = []): string[] {
  return ['rank', ...extra, ...setArgs(sets)];
}

interface SliceRow {
  strategy_id: string; seq: number; eval_ts: number; symbol: string; entry_ts: number; exit_ts: number; return_pct: number;
  max_drawdown_pct: number; rank: number; score: number; features: string;
}

describe('rank: the ranking evaluation from the command line', () => {
  it('ranks the universe with both strategies side by side, stores every slice in slice_results as in slices.csv, measures returns after costs, and repeats byte for byte', async () => {
    const ws = tempWorkspace('ct-rank-', { reports: true });
    const m = await writeSyntheticStore(ws.dataDir, SPEC);
    const sets = [
      ...ws.sets, ...m.sets, `rank.symbols=${SPEC.symbols.join(',')}`, 'rank.lookback_candles=50',
      `execution.fee_bps=${FEE_BPS}`, `execution.slippage_bps=${SLIPPAGE_BPS}`,
    ];
    const [a, b] = await Promise.all([runCliProcess(rankArgs(sets, ['--json']), 60_000), runCliProcess(rankArgs(sets), 60_000)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const summary = JSON.parse(a.stdout.trim().split('\n').at(-1)!) as { run_id: string; results_dir: string; strategies: Array<{ strategy: string; trades: number }> };
    expect(summary.strategies.map((s) => s.strategy)).toEqual(['macd_rsi_confluence', 'momentum_rank']);
    for (const s of summary.strategies) expect(s.trades, s.strategy).toBeGreaterThan(20);
    // The human run ends with the comparison table: both strategies as columns.
    const header = b.stdout.split('\n').find((l) => l.includes('macd_rsi_confluence'))!;
    expect(header).toMatch(/macd_rsi_confluence\s+momentum_rank/);
    expect(b.stdout).toMatch(/win rate/);

    const dirB = /results in (\S+)/.exec(b.stdout)![1]!;
    const csvText = readFileSync(join(summary.results_dir, 'slices.csv'), 'utf8');
    // Determinism: the two runs (same config and candles) wrote identical files.
    for (const f of ['slices.csv', 'curve.csv', 'metrics.json', 'report.html']) expect(readFileSync(join(dirB, f), 'utf8'), f).toBe(readFileSync(join(summary.results_dir, f), 'utf8'));

    const db = new Database(ws.stateDb, { readonly: true });
    const runs = db.prepare(`SELECT id, mode, status FROM runs ORDER BY id`).all() as Array<{ id: string; mode: string; status: string }>;
    expect(runs.map((r) => [r.mode, r.status])).toEqual([['rank', 'completed'], ['rank', 'completed']]);
    const rows = db.prepare(`SELECT * FROM slice_results WHERE run_id = ? ORDER BY strategy_id, seq`).all(summary.run_id) as SliceRow[];
    const metricRows = db.prepare(`SELECT strategy_id FROM rank_metrics WHERE run_id = ? ORDER BY strategy_id`).all(summary.run_id) as Array<{ strategy_id: string }>;
    db.close();
    expect(metricRows.map((r) => r.strategy_id)).toEqual(['macd_rsi_confluence', 'momentum_rank']);
    // `runs show` of a ranking run prints its strategies side by side, not an account's n/a table.
    const shown = await runCliProcess(['runs', 'show', summary.run_id, ...setArgs(sets)], 30_000);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/mode\s+rank/);
    expect(shown.stdout).toMatch(/macd_rsi_confluence\s+momentum_rank/);
    expect(shown.stdout).toMatch(/win rate/);
    const csv = csvRows(csvText).sort((x, y) => x.strategy!.localeCompare(y.strategy!) || Number(x.seq) - Number(y.seq));
    expect(rows.length).toBe(csv.length);
    rows.forEach((r, i) => {
      const c = csv[i]!;
      expect([r.strategy_id, String(r.seq), String(r.eval_ts), r.symbol, String(r.entry_ts), String(r.exit_ts), String(r.rank)])
        .toEqual([c.strategy, c.seq, c.eval_ts, c.symbol, c.entry_ts, c.exit_ts, c.rank]);
      expect(r.return_pct).toBe(Number(c.return_pct));
      expect(r.max_drawdown_pct).toBe(Number(c.max_drawdown_pct));
      expect(r.score).toBe(Number(c.score));
      const f = JSON.parse(r.features) as { raw: Record<string, number>; norm: Record<string, number> };
      expect(f.raw.rsi).toBe(Number(c.rsi));
      expect(f.norm.trend_slope_pct).toBe(Number(c.norm_trend_slope_pct));
    });

    // One slice by hand from the candles: bought at the open of the candle at t plus slippage,
    // sold at the close of the candle ending at t + 4h minus slippage, a fee on each side.
    const s = csv.find((r) => r.strategy === 'momentum_rank')!;
    const c = syntheticCandles(SPEC).get(s.symbol!)!;
    const i = c.ts.indexOf(Number(s.eval_ts));
    expect(Number(s.entry_ts)).toBe(c.ts[i]);
    expect(Number(s.exit_ts)).toBe(c.ts[i + 3]! + HOUR);
    const paid = c.open[i]! * 1.0005 * 1.001; // cash out per unit bought
    const got = c.close[i + 3]! * 0.9995 * 0.999; // cash back per unit sold
    expect(Number(s.return_pct)).toBeCloseTo((got / paid - 1) * 100, 10);
    let worst = 0;
    for (let k = i; k <= i + 3; k++) {
      const before = Math.max(c.open[i]!, ...Array.from(c.high.subarray(i, k)));
      worst = Math.max(worst, (before - c.low[k]!) / before);
    }
    expect(Number(s.max_drawdown_pct)).toBeCloseTo(worst * 100, 10);

    // report.html opens offline in a real browser, with no error: both strategies side by side
    // and one cumulative curve per strategy.
    const browser = await launchBrowser();
    try {
      const { page, errors } = await pageWithErrors(browser);
      await page.goto(pathToFileURL(join(summary.results_dir, 'report.html')).href);
      await page.waitForFunction(() => (globalThis as unknown as { __report?: { ready?: boolean } }).__report?.ready === true);
      expect(await page.evaluate(() => (globalThis as unknown as { __report: { chartIds(): string[] } }).__report.chartIds())).toEqual(['curve']);
      expect(await page.locator('#curve .ct-legend-item').allTextContents()).toEqual(['macd_rsi_confluence', 'momentum_rank']);
      expect(await page.locator('#comparison thead th').allTextContents()).toEqual(['metric', 'macd_rsi_confluence', 'momentum_rank']);
      await page.screenshot({ path: screenshotPath('rank', 'report.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('takes --shift-hours, --window-hours and --max-positions as its [rank] keys: slices every 3 h, held 6 h, one at a time', async () => {
    const ws = tempWorkspace('ct-rank-options-');
    const m = await writeSyntheticStore(ws.dataDir, SPEC);
    const sets = [...ws.sets, ...m.sets, `rank.symbols=${SPEC.symbols.join(',')}`, 'rank.lookback_candles=50'];
    const r = await runCliProcess(rankArgs(sets, ['--shift-hours', '3', '--window-hours', '6', '--max-positions', '1', '--json']), 60_000);
    expect(r.code, r.stderr).toBe(0);
    const dir = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { results_dir: string }).results_dir;
    const slices = csvRows(readFileSync(join(dir, 'slices.csv'), 'utf8'));
    expect(slices.length).toBeGreaterThan(20);
    for (const x of slices) expect(Number(x.exit_ts) - Number(x.entry_ts)).toBe(6 * HOUR);
    // Evaluation times 3 h apart (from the first one, after the lookback).
    const evals = [...new Set(slices.map((x) => Number(x.eval_ts)))].sort((x, y) => x - y);
    for (const t of evals) expect((t - evals[0]!) % (3 * HOUR)).toBe(0);
    for (const strategy of ['macd_rsi_confluence', 'momentum_rank']) {
      const times = slices.filter((x) => x.strategy === strategy).map((x) => x.eval_ts);
      expect(new Set(times).size, strategy).toBe(times.length);
    }
  });

  it('refuses bad usage with exit 2 and one line naming the option: an unknown strategy, a non-ranking strategy, a window of 0 hours, a feature timeframe below the base one', async () => {
    const ws = tempWorkspace('ct-rank-usage-');
    const sets = [...ws.sets, ...marketSets(SPEC)];
    const cases: Array<[string[], string[], RegExp]> = [
      [[], ['--strategies', 'no_such_rank'], /no_such_rank/],
      [[], ['--strategies', 'macd_rsi_confluence,simple_ma'], /simple_ma is not a ranking strategy/],
      [['rank.window_hours=0'], [], /rank\.window_hours/],
      // The options are shorthands of their keys, refused under the key's name.
      [[], ['--shift-hours', '0'], /rank\.shift_hours = "0" is invalid/],
      [[], ['--normalize', 'rank'], /rank\.normalize = "rank" is invalid/],
      [['rank.feature_timeframe=15m'], [], /rank\.feature_timeframe = 15m/],
    ];
    const runs = await Promise.all(cases.map(([more, extra]) => runCliProcess(rankArgs([...sets, ...more], extra), 30_000)));
    runs.forEach((r, k) => {
      expect(r.code, `${cases[k]![2]}: ${r.stderr}`).toBe(2);
      expectOneCleanLine(r.stderr);
      expect(r.stderr).toMatch(cases[k]![2]);
    });
  });

  it.skipIf(!HAS_SHARED_DATA)('runs on the real Binance candles of five symbols (three months, 1h) with both strategies', async () => {
    const ws = tempWorkspace('ct-rank-real-', { reports: true });
    // Only the three months imported (the real import path, on the real rows of that range):
    // importing eight years of five symbols would be most of this test's time.
    const [from, to] = [Date.UTC(2024, 0, 1), Date.UTC(2024, 3, 1)];
    for (const f of SPOT_1H_FILES) {
      const lines = readFileSync(sharedFile(f.file), 'utf8').split('\n');
      const file = join(ws.root, f.file);
      writeFileSync(file, `${[lines[0], ...lines.slice(1).filter((l) => l !== '' && Number(l.slice(0, l.indexOf(','))) >= from && Number(l.slice(0, l.indexOf(','))) < to)].join('\n')}\n`);
      await importCsv({ dataDir: ws.dataDir, file, symbol: f.symbol, timeframe: '1h', exchange: 'binance', market: 'spot' });
    }
    const symbols = SPOT_1H_FILES.map((f) => f.symbol);
    const r = await runCliProcess(rankArgs([...ws.sets, 'backtest.data_exchange=binance', 'backtest.auto_download=false', 'exchange.market=spot', 'market.timeframe=1h', `rank.symbols=${symbols.join(',')}`], ['--from', '2024-01-01', '--to', '2024-04-01', '--json']), 60_000);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { evaluation_times: number; strategies: Array<{ strategy: string; trades: number; coverage_pct: number }> };
    expect(s.evaluation_times).toBeGreaterThan(900);
    for (const x of s.strategies) {
      expect(x.trades, x.strategy).toBeGreaterThan(100);
      expect(x.coverage_pct, x.strategy).toBeGreaterThan(0);
    }
  });
});
