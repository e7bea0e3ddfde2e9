import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvRows, runBacktestCli, runBacktestInProcess, tempWorkspace, type BacktestRun } from '../../support/backtest-env.ts';
import { launchBrowser, pageWithErrors, screenshotPath } from '../../support/browser.ts';
import { SPOT_MARKET, writeSyntheticStore } from '../../support/synthetic-store.ts';

/**
 * report.html as a person opens it: one backtest of the built CLI on two seeded synthetic symbols
 * (60 days of 1h candles, two strategies, one of them with stops and targets), the page opened
 * from file:// in headless Chromium with every request off the file system blocked.
 */
const SPEC = { ...SPOT_MARKET, symbols: ['BTC/USDT', 'ETH/USDT'], count: 60 * 24 };
// bracket_momentum (a fixture) sets a stop and a take-profit; simple_ma sets neither.
const STRATEGIES = ['strategies.enabled=bracket_momentum,simple_ma', 'strategies.custom_dir=tests/fixtures/report-strategies', 'strategies.isolation=inline'];

type Hooks = {
  ready: boolean;
  markerCount(): number;
  markerTotal(): number;
  markerLabels(): number;
  levelLineCount(): number;
  levelLines(): { stop: number; target: number };
  symbols(): string[];
  currentSymbol(): string | null;
  selectSymbol(s: string): void;
  visibleRange(id?: string): { from: number; to: number } | null;
  priceChartX(t: number): number | null;
};
/** The page's window, as the functions run by page.evaluate see it (the tests compile without the DOM types). */
type W = { __report: Hooks };
/** Charts apply a new range on their next frame: wait for it, generously on a loaded machine. */
const POLL = { timeout: 15_000, interval: 50 };

/** PNG signature and the IHDR chunk's width and height. */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(buf.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe('report.html of a backtest, opened in headless Chromium', () => {
  const ws = tempWorkspace('ct-report-', { reports: true });
  let market: string[];
  let run: BacktestRun;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    market = (await writeSyntheticStore(ws.dataDir, SPEC)).sets;
    [run, browser] = await Promise.all([runBacktestCli([...ws.sets, ...market, ...STRATEGIES]), launchBrowser()]);
    expect(run.code, run.stderr).toBe(0);
    ({ page, errors } = await pageWithErrors(browser));
    await page.goto(pathToFileURL(join(run.resultsDir!, 'report.html')).href);
    await page.waitForFunction(() => (globalThis as unknown as Partial<W>).__report?.ready === true);
  });
  afterAll(async () => {
    await browser?.close();
  });
  /** A chart's visible time range (epoch seconds): the price chart by default. */
  const range = (id?: string): Promise<{ from: number; to: number } | null> => page.evaluate((i) => (globalThis as unknown as W).__report.visibleRange(i), id);

  it('loads offline with no console error and draws one marker per fill of fills.csv, trade tooltips and dashed stop/target lines', async () => {
    await page.screenshot({ path: screenshotPath('report', 'backtest-report.png'), fullPage: true });
    const fills = csvRows(run.file('fills.csv'));
    const trades = csvRows(run.file('trades.csv'));
    expect(fills.length).toBeGreaterThan(20);
    const symbols = await page.evaluate(() => (globalThis as unknown as W).__report.symbols());
    expect(symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    let drawn = 0;
    for (const s of symbols) {
      const onChart = await page.evaluate((sym) => {
        (globalThis as unknown as W).__report.selectSymbol(sym);
        return { markers: (globalThis as unknown as W).__report.markerCount(), labels: (globalThis as unknown as W).__report.markerLabels(), series: (globalThis as unknown as W).__report.levelLineCount(), segments: (globalThis as unknown as W).__report.levelLines() };
      }, s);
      expect(onChart.markers, s).toBe(fills.filter((f) => f.symbol === s).length);
      // All 1,440 bars in view: the arrows without their size/PnL labels (unreadable at that zoom).
      expect(onChart.labels, s).toBe(0);
      drawn += onChart.markers;
      // One stop and one target segment per bracket_momentum trade, none for simple_ma's (no levels).
      const brackets = trades.filter((t) => t.symbol === s && t.strategy === 'bracket_momentum').length;
      expect(brackets, s).toBeGreaterThan(2);
      expect(onChart.segments, s).toEqual({ stop: brackets, target: brackets });
      expect(onChart.series, s).toBeGreaterThanOrEqual(2);
    }
    expect(drawn).toBe(fills.length);
    expect(await page.evaluate(() => (globalThis as unknown as W).__report.markerTotal())).toBe(fills.length);

    // Hovering a trade on the price chart shows its entry, exit, MAE, MFE and duration.
    const trade = trades.find((t) => t.symbol === 'ETH/USDT' && Number(t.bars) >= 3)!;
    const x = await page.evaluate((t) => (globalThis as unknown as W).__report.priceChartX(t), Math.round((Number(trade.entry_ts) + Number(trade.exit_ts)) / 2000 / 3600) * 3600);
    expect(x).not.toBeNull();
    const box = (await page.locator('#price .ct-chart').boundingBox())!;
    await page.mouse.move(box.x + x!, box.y + box.height / 2);
    const tip = page.locator('#price .ct-tooltip');
    await tip.waitFor({ state: 'visible' });
    const text = await tip.innerText();
    for (const word of ['entry', 'exit', 'MAE', 'MFE', 'duration', trade.entry_time!.slice(0, 10)]) expect(text).toContain(word);
    expect(errors).toEqual([]);
  });

  it('moves the price chart (switching symbol) and the synced equity and drawdown charts to a trade when its row is clicked, and zooms them together', async () => {
    const trades = csvRows(run.file('trades.csv'));
    const full = (await page.evaluate(() => { (globalThis as unknown as W).__report.selectSymbol('BTC/USDT'); return (globalThis as unknown as W).__report.visibleRange(); }))!;
    for (const symbol of ['ETH/USDT', 'BTC/USDT']) {
      const i = trades.findIndex((t, k) => t.symbol === symbol && k > trades.length / 3);
      const t = trades[i]!;
      await page.locator(`#trades tbody tr:nth-child(${i + 1})`).click();
      const entry = Number(t.entry_ts) / 1000, exit = Number(t.exit_ts) / 1000;
      const contains = (r: { from: number; to: number } | null): boolean => r !== null && r.from <= entry && r.to >= exit;
      await expect.poll(() => range(), POLL).toSatisfy(contains);
      const price = (await range())!;
      expect(await page.evaluate(() => (globalThis as unknown as W).__report.currentSymbol())).toBe(symbol);
      // Moved, not merely still showing everything: the range is a small part of the run.
      expect(price.to - price.from).toBeLessThan((full.to - full.from) / 4);
      await expect.poll(() => range('equity'), POLL).toSatisfy(contains);
      await expect.poll(() => range('drawdown'), POLL).toSatisfy(contains);
      // Zoomed in on the trade: every marker carries its size (and PnL on the closing fill).
      await expect.poll(() => page.evaluate(() => [(globalThis as unknown as W).__report.markerLabels(), (globalThis as unknown as W).__report.markerCount()]), POLL).toSatisfy(([l, n]) => l === n && n! > 0);
    }
    await page.locator('#price').screenshot({ path: screenshotPath('report', 'after-trade-click.png') });

    // Zooming the price chart with the wheel zooms the equity and drawdown charts with it.
    const before = (await range())!;
    const box = (await page.locator('#price .ct-chart').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 400);
    const all = (): Promise<unknown> => page.evaluate(() => ['price', 'equity', 'drawdown'].map((id) => (globalThis as unknown as W).__report.visibleRange(id)));
    await expect.poll(all, POLL).toSatisfy((rs) => {
      const [p, e, d] = rs as { from: number; to: number }[];
      return p!.to - p!.from > before.to - before.from && JSON.stringify(e) === JSON.stringify(p) && JSON.stringify(d) === JSON.stringify(p);
    });
    expect(errors).toEqual([]);
  });

  it('writes equity.png and drawdown.png; the same run again gives byte-identical images and report.html (apart from the run id); [report] off writes neither', async () => {
    const equity = readFileSync(join(run.resultsDir!, 'equity.png'));
    const drawdown = readFileSync(join(run.resultsDir!, 'drawdown.png'));
    expect(pngSize(equity)).toEqual({ width: 1200, height: 480 });
    expect(pngSize(drawdown)).toEqual({ width: 1200, height: 360 });
    expect(equity.length).toBeGreaterThan(15_000); // axes, labels and two curves, not a blank image
    expect(drawdown.length).toBeGreaterThan(10_000);

    const again = tempWorkspace('ct-report-again-', { reports: true });
    const rest = [`general.data_dir=${ws.dataDir}`, ...market, ...STRATEGIES];
    const b = await runBacktestInProcess([...again.sets, ...rest]);
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(join(b.resultsDir!, 'equity.png')).equals(equity)).toBe(true);
    expect(readFileSync(join(b.resultsDir!, 'drawdown.png')).equals(drawdown)).toBe(true);
    const html = (r: BacktestRun): string => r.file('report.html').replaceAll(r.runId!, '<run>');
    expect(html(b) === html(run)).toBe(true);

    const off = tempWorkspace('ct-report-off-');
    const c = await runBacktestInProcess([...off.sets, ...rest, 'report.html=false', 'report.png=false']);
    expect(c.code, c.stderr).toBe(0);
    expect(readdirSync(c.resultsDir!).sort()).toEqual(['config.ini', 'equity.csv', 'fills.csv', 'metrics.json', 'report.txt', 'trades.csv']);
  });
});
