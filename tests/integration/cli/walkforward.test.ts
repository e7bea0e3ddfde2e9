/**
 * `walkforward` end to end through the built CLI on a seeded synthetic store: the windows as
 * configured (rolling and anchored), the results files, the one run row, the "no eligible set"
 * windows in cash, determinism (two runs and two thread counts give the same bytes) and the usage
 * errors. One real-data run on ../shared/data BTC 1h when it is there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvRows, importShared, tempWorkspace } from '../../support/backtest-env.ts';
import { query } from '../../support/daemon-process.ts';
import { HAS_SHARED_DATA } from '../../support/shared-data.ts';
import { CandleStore } from '../../../src/data/store.ts';
import { launchBrowser, pageWithErrors, screenshotPath } from '../../support/browser.ts';
import { pathToFileURL } from 'node:url';
import { cli, expectOneCleanLine, setArgs, writeSyntheticStore } from './cli-env.ts';

interface WfJson {
  run_id: string;
  results_dir: string;
  window_count: number;
  windows_no_eligible_set: number;
  oos: { final_equity: number; trades: number; total_return: number | null };
  buy_and_hold: { total_return: number | null };
  efficiency: { value: number | null };
  stability: { score: number | null };
}
const lastJson = (stdout: string): WfJson => JSON.parse(stdout.trim().split('\n').at(-1)!) as WfJson;
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('walkforward on a synthetic store', () => {
  const ws = tempWorkspace('ct-wf-', { reports: true });
  const sets = setArgs([...ws.sets, 'backtest.data_exchange=binance', 'backtest.auto_download=false']);
  const common = [...sets, '--strategies', 'simple_ma', '--symbols', 'BTC/USDT', '--timeframe', '1h', '--from', '2023-01-01', '--to', '2023-05-01', 'walkforward',
    '--train-days', '40', '--test-days', '20', '--grid', 'strategy.simple_ma.fast=5,10', '--grid', 'strategy.simple_ma.slow=30,60', '--json'];

  /** The rolling run's results (the report test opens its report.html). */
  let rolling: { dir: string; rows: Array<Record<string, string>> } | undefined;

  beforeAll(async () => {
    await writeSyntheticStore(ws.dataDir, { symbols: ['BTC/USDT'], timeframe: '1h', from: '2023-01-01', to: '2023-05-01', seed: 5 });
  });

  it('plans rolling windows as configured, writes its files and one completed run row, and gives the same bytes for 1 and 2 threads', () => {
    const two = cli([...common, '--min-trades', '2', '--threads', '2']);
    expect(two.stderr).not.toMatch(/CT_ERR_/);
    expect(two.code).toBe(0);
    const a = lastJson(two.stdout);
    for (const f of ['windows.csv', 'equity.csv', 'trades.csv', 'fills.csv', 'metrics.json', 'summary.json', 'config.ini', 'report.html']) expect(existsSync(join(a.results_dir, f))).toBe(true);
    const rows = csvRows(readFileSync(join(a.results_dir, 'windows.csv'), 'utf8'));
    rolling = { dir: a.results_dir, rows };
    // 120 days, train 40 + test 20, step = test: starts at days 0, 20, 40, 60.
    const start = Date.UTC(2023, 0, 1);
    expect(rows.map((r) => [r.train_from, r.train_to, r.test_from, r.test_to])).toEqual([0, 20, 40, 60].map((d) => [iso(start + d * DAY), iso(start + (d + 40) * DAY), iso(start + (d + 40) * DAY), iso(start + (d + 60) * DAY)]));
    expect(a.window_count).toBe(4);
    expect(rows.every((r) => /^fast=(5|10) slow=(30|60)$/.test(r.params!) && Number(r.is_trades) >= 2)).toBe(true);
    // Stitched: each test window's run starts (flat: its first mark is all cash) from the equity the previous one ended with.
    const equity = csvRows(readFileSync(join(a.results_dir, 'equity.csv'), 'utf8'));
    rows.forEach((row, k) => {
      const marks = equity.filter((e) => e.window === String(k + 1));
      expect(marks[0]!.time).toBe(row.test_from);
      expect(Number(marks[0]!.equity)).toBe(k === 0 ? 10_000 : Number(rows[k - 1]!.end_equity));
      expect(Number(marks.at(-1)!.equity)).toBe(Number(row.end_equity));
    });
    expect(equity[0]!.time).toBe(rows[0]!.test_from);
    expect(Number(equity.at(-1)!.equity)).toBeCloseTo(a.oos.final_equity, 6);
    expect(a.oos.trades).toBe(rows.reduce((s, r) => s + Number(r.oos_trades), 0));
    expect(csvRows(readFileSync(join(a.results_dir, 'trades.csv'), 'utf8'))).toHaveLength(a.oos.trades);
    // Warm-up is not traded: every out-of-sample fill lies inside a test window (the close at its end is stamped with the last candle's close time).
    const fills = csvRows(readFileSync(join(a.results_dir, 'fills.csv'), 'utf8'));
    expect(fills.length).toBeGreaterThanOrEqual(2 * a.oos.trades);
    for (const f of fills) expect(rows.some((r) => f.time! >= r.test_from! && f.time! <= r.test_to!), f.time).toBe(true);
    expect(two.stdout).not.toContain('walk-forward efficiency'); // --json: only the JSON line

    const [run] = query<{ status: string; mode: string }>(ws.stateDb, 'SELECT status, mode FROM runs WHERE id = ?', a.run_id);
    expect(run).toEqual({ status: 'completed', mode: 'walkforward' });
    expect(query(ws.stateDb, 'SELECT run_id FROM backtest_summaries WHERE run_id = ?', a.run_id)).toHaveLength(1);
    expect(query<{ n: number }>(ws.stateDb, 'SELECT COUNT(*) AS n FROM runs')[0]!.n).toBe(1); // no row per evaluation

    const one = cli([...common, '--min-trades', '2', '--threads', '1']);
    expect(one.code).toBe(0);
    const b = lastJson(one.stdout);
    expect(b.run_id).not.toBe(a.run_id);
    for (const f of ['windows.csv', 'equity.csv', 'trades.csv', 'fills.csv', 'metrics.json', 'summary.json', 'report.html']) {
      expect(readFileSync(join(b.results_dir, f), 'utf8'), f).toBe(readFileSync(join(a.results_dir, f), 'utf8'));
    }
  });

  it('opens its report.html in Chromium with no error: the charts, a marker per OOS fill, the bars per window, and a window row click shows its test span', async () => {
    expect(rolling, 'the rolling run above must have succeeded').toBeDefined();
    const browser = await launchBrowser();
    try {
      const { page, errors } = await pageWithErrors(browser);
      await page.goto(pathToFileURL(join(rolling!.dir, 'report.html')).href);
      await page.waitForFunction('window.__report && window.__report.ready === true');
      const hooks = 'window.__report';
      expect(await page.evaluate(`${hooks}.chartIds()`)).toEqual(['wf-price', 'wf-equity', 'wf-drawdown']);
      const fills = csvRows(readFileSync(join(rolling!.dir, 'fills.csv'), 'utf8'));
      expect(fills.length).toBeGreaterThan(0);
      expect(await page.evaluate(`${hooks}.markerTotal()`)).toBe(fills.length);
      expect(await page.locator('#wf-bars rect').count()).toBeGreaterThanOrEqual(rolling!.rows.length);
      await page.locator('#wf-windows tbody tr').nth(2).click();
      const range = (await page.evaluate(`${hooks}.visibleRange('wf-equity')`)) as { from: number; to: number };
      const row = rolling!.rows[2]!;
      // Window 3's test span (epoch seconds) is in view, centred (within a candle), with some context around it.
      const t0 = Date.parse(row.test_from!) / 1000, t1 = Date.parse(row.test_to!) / 1000;
      expect(range.from).toBeLessThanOrEqual(t0);
      expect(range.to).toBeGreaterThanOrEqual(t1 - 3600);
      expect(Math.abs((range.from + range.to) / 2 - (t0 + t1) / 2)).toBeLessThanOrEqual(3600);
      expect(range.to - range.from).toBeLessThan(3 * (t1 - t0));
      await page.screenshot({ path: screenshotPath('walkforward', 'report.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('anchors every train window at the range start, and leaves a window without an eligible set in cash (text report)', () => {
    const r = cli([...common.filter((x) => x !== '--json'), '--windows', 'anchored', '--step-days', '30', '--min-trades', '100000', '--threads', '1']);
    expect(r.stderr).not.toMatch(/CT_ERR_/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('walk-forward efficiency');
    const dir = /results: (\S+)/.exec(r.stdout)![1]!;
    const rows = csvRows(readFileSync(join(dir, 'windows.csv'), 'utf8'));
    // step 30 > test 20: window starts at days 0, 30, 60; test spans 40-60, 70-90, 100-120 (gaps between them).
    const start = Date.UTC(2023, 0, 1);
    expect(rows.map((r) => [r.train_from, r.train_to, r.test_to])).toEqual([0, 30, 60].map((d) => [iso(start), iso(start + (d + 40) * DAY), iso(start + (d + 60) * DAY)]));
    expect(rows.every((x) => x.params === 'no eligible set' && x.oos_trades === '0' && x.end_equity === '10000')).toBe(true);
    const equity = csvRows(readFileSync(join(dir, 'equity.csv'), 'utf8'));
    expect(new Set(equity.map((e) => e.equity))).toEqual(new Set(['10000']));
    expect(new Set(equity.map((e) => e.window))).toEqual(new Set(['1', '2', '3']));
    expect(r.stdout).toContain('no eligible set (cash)');
  });

  it('refuses bad usage with exit 2 and one line naming the option and value', () => {
    const bad: Array<[string[], string[]]> = [
      [['--train-days', '100', '--test-days', '30'], ['--train-days 100', '--test-days 30', 'no window fits']],
      [['--objective', 'alpha'], ['--objective alpha', 'sharpe']],
      [['--grid', 'strategy.simple_ma.speed=1,2'], ['strategy.simple_ma.speed', 'no parameter "speed"']],
      [['--step-days', '5'], ['--step-days 5', 'overlap']],
      [['--grid', 'strategy.simple_ma.fast=0,5'], ['strategy.simple_ma.fast']],
    ];
    for (const [args, needles] of bad) {
      const r = cli([...common, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expectOneCleanLine(r.stderr, ...needles);
    }
    const two = cli([...common.map((x) => (x === 'simple_ma' ? 'simple_ma,ema_cross' : x))]);
    expect(two.code).toBe(2);
    expectOneCleanLine(two.stderr, 'one strategy');
  });
});

describe.skipIf(!HAS_SHARED_DATA)('walkforward on real BTC 1h candles (../shared/data)', () => {
  const ws = tempWorkspace('ct-wf-real-', { reports: true });
  beforeAll(async () => {
    await importShared(ws.dataDir, [{ file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' }]);
  }, 120_000);

  it('runs a year of rolling windows and compares each test span with buy-and-hold of the real closes', async () => {
    const r = cli([...setArgs([...ws.sets, 'backtest.data_exchange=binance', 'backtest.auto_download=false']), '--strategies', 'simple_ma', '--symbols', 'BTC/USDT', '--from', '2022-01-01', '--to', '2023-01-01',
      'walkforward', '--train-days', '90', '--test-days', '30', '--grid', 'strategy.simple_ma.fast=10,20', '--grid', 'strategy.simple_ma.slow=50,100', '--min-trades', '3', '--json']);
    expect(r.stderr).not.toMatch(/CT_ERR_/);
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    expect(out.window_count).toBe(9);
    const rows = csvRows(readFileSync(join(out.results_dir, 'windows.csv'), 'utf8'));
    const c = await new CandleStore(ws.dataDir).read({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', timeframe: '1h' }, Date.UTC(2022, 0, 1), Date.UTC(2023, 0, 1));
    for (const row of rows) {
      const t0 = Date.parse(row.test_from!), t1 = Date.parse(row.test_to!);
      let i0 = 0;
      while (c.ts[i0]! < t0) i0++;
      let i1 = i0;
      while (i1 + 1 < c.length && c.ts[i1 + 1]! < t1) i1++;
      expect(Number(row.buy_and_hold_return)).toBeCloseTo(c.close[i1]! / c.close[i0]! - 1, 9);
    }
    // 2022 was a bear year: buy-and-hold over the stitched test spans lost money.
    expect(out.buy_and_hold.total_return!).toBeLessThan(0);
  }, 120_000);
});
