import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { launchBrowser, pageWithErrors, screenshotPath } from '../../support/browser.ts';
import { CLI_ARGS } from '../../support/cli-entry.ts';
import { expectOneCleanLine } from '../cli/cli-env.ts';
import { query, waitFor } from '../../support/daemon-process.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';
import { SPOT_MARKET, writeSyntheticStore } from '../../support/synthetic-store.ts';

/**
 * The dashboard as a user meets it: `serve --port 0` of the built CLI on a temporary project
 * (its own State/trading.db with runs made by real CLI runs, its own .env holding a fake API key),
 * looked at in headless Chromium and probed with plain HTTP requests.
 */

const ws = tempWorkspace('ct-serve-', { reports: true });
const FAKE_KEY = 'QZKEYQZ7731VISIBLEIFLEAKED';
const FAKE_SECRET = 'QZSECRETQZ4419MUSTNEVERSHOW';
const CONFIG = join(REPO_ROOT, 'config', 'config.ini');
const MARKET = { ...SPOT_MARKET, symbols: ['BTC/USDT', 'ETH/USDT'], count: 60 * 24 };
let sets: string[] = [];

interface Proc { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> }

/** The built CLI started in the temp project (its .env and relative paths are the project's). */
function cli(args: readonly string[]): Proc {
  const child = spawn(process.execPath, [...CLI_ARGS, '--config', CONFIG, ...args, ...sets.flatMap((s) => ['--set', s])], { cwd: ws.root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function cliDone(args: readonly string[]): Promise<Record<string, unknown>> {
  const p = cli([...args, '--json']);
  const code = await p.exited;
  expect(p.err(), args.join(' ')).not.toMatch(/CT_ERR_/);
  expect(code).toBe(0);
  return JSON.parse(p.out().trim().split('\n').at(-1)!) as Record<string, unknown>;
}

let serve: Proc;
let base = '';
let port = 0;
let browser: Browser;
let page: Page;
let errors: string[];
/** Every body the dashboard answered, to the browser and to the plain requests. */
const bodies: string[] = [];
const FOREIGN = 'backtest-20200101-000000-f0f0';
let bt1 = '';
let bt2 = '';

function http(method: string, path: string, opts: { host?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: opts.host ?? `127.0.0.1:${port}`, ...opts.headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        bodies.push(body);
        resolve({ status: res.statusCode!, body, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
const postJson = (body: unknown): ReturnType<typeof http> => http('POST', '/api/backtests', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const dbRuns = (): Array<{ id: string; mode: string; status: string }> => query(ws.stateDb, 'SELECT id, mode, status FROM runs ORDER BY started_at DESC, rowid DESC');
const listedIds = (): Promise<string[]> => page.$$eval('#runs tbody tr', (trs) => trs.map((t) => t.getAttribute('data-run-id')!));

describe('serve: the local dashboard', () => {
  beforeAll(async () => {
    const market = await writeSyntheticStore(ws.dataDir, MARKET);
    sets = [...ws.sets, ...market.sets, 'strategies.enabled=simple_ma'];
    writeFileSync(join(ws.root, '.env'), `BYBIT_API_KEY=${FAKE_KEY}\nBYBIT_API_SECRET=${FAKE_SECRET}\n`);
    // Runs of two modes, made for real: two backtests (different strategies and symbols) and a dry-run.
    const [a, b] = await Promise.all([
      cliDone(['--mode', 'backtest']),
      cliDone(['--mode', 'backtest', '--strategies', 'ema_cross', '--symbols', 'BTC/USDT']),
      cliDone(['--dry-run', '--max-candles', '120']),
    ]);
    bt1 = a!.run_id as string;
    bt2 = b!.run_id as string;
    // The first backtest keeps the report.html it wrote; the second's is replaced by a symlink out
    // of its folder (to the .env), which must never be served.
    for (const f of ['report.html', 'equity.png', 'drawdown.png']) rmSync(join(ws.root, 'results', bt2, f), { force: true });
    symlinkSync(join(ws.root, '.env'), join(ws.root, 'results', bt2, 'report.html'));

    // A run of another kind (a research run: its own summary shape, metrics this list does not
    // know, null and text where numbers usually are) is listed too, with what it has.
    const db = new Database(ws.stateDb);
    db.prepare("INSERT INTO runs (id, mode, started_at, ended_at, status, config_snapshot) VALUES (?, 'backtest', '2020-01-01T00:00:00.000Z', '2020-01-01T00:01:00.000Z', 'completed', '')").run(FOREIGN);
    db.prepare("INSERT INTO backtest_summaries VALUES (?, 'macd_rsi_confluence,momentum_rank', 'BTC/USDT,SOL/USDT', '4h', NULL, NULL, ?, ?)").run(
      FOREIGN, JSON.stringify({ schemaVersion: 9, slices: { count: 40 }, returns: { totalReturn: null, sharpe: 'high' }, trades: 12, winRate: 0.55 }), join(ws.root, 'results', FOREIGN),
    );
    db.close();

    serve = cli(['serve', '--port', '0']);
    await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\//.test(serve.out()) || serve.child.exitCode !== null, 20_000, 'the dashboard URL on stdout');
    base = /http:\/\/127\.0\.0\.1:\d+\//.exec(serve.out())?.[0] ?? '';
    expect(base, serve.err()).not.toBe('');
    port = Number(new URL(base).port);
    browser = await launchBrowser();
    ({ page, errors } = await pageWithErrors(browser));
    page.on('response', (r) => void r.text().then((t) => bodies.push(t), () => undefined));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGKILL');
  });

  it('listens on 127.0.0.1 only and refuses foreign Host headers, unknown routes and other methods', async () => {
    const badPort = cli(['serve', '--port', '80x']);
    expect(await badPort.exited).toBe(2);
    expectOneCleanLine(badPort.err(), '--port 80x', 'expected a whole number 0..65535');
    expect(serve.out()).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\//m);
    const other = Object.values(networkInterfaces()).flat().find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
    if (other !== undefined) {
      // Not on the machine's other addresses: connecting there is refused.
      const refused = await new Promise<string>((r) => connect(port, other.address).once('connect', () => r('connected')).once('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error')));
      expect(refused).toBe('ECONNREFUSED');
    }
    expect((await http('GET', '/api/runs')).status).toBe(200);
    expect((await http('GET', '/api/runs', { host: `localhost:${port}` })).status).toBe(200);
    // DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends its own name as Host.
    const rebound = await http('GET', '/api/runs', { host: `evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain(bt1);
    expect((await http('GET', '/api/runs', { host: '127.0.0.1:1' })).status).toBe(403);
    expect((await http('GET', '/no/such/page')).status).toBe(404);
    expect((await http('POST', '/no/such/page')).status).toBe(405);
    const del = await http('DELETE', `/api/runs/${bt1}`);
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD');
    expect((await http('PUT', '/api/backtests')).status).toBe(405);
    expect((await http('POST', '/api/runs')).status).toBe(405);
    // A form post from another site (text/plain needs no preflight) is refused before it is read.
    expect((await http('POST', '/api/backtests', { headers: { 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await http('POST', '/api/backtests', { headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: '{}' })).status).toBe(415);
    // Report files: only the run's own, inside its folder.
    expect((await http('GET', `/runs/${bt1}/report.html`)).body).toBe(readFileSync(join(ws.root, 'results', bt1, 'report.html'), 'utf8'));
    expect((await http('GET', `/runs/${bt1}/report.txt`)).body).toContain(bt1);
    expect((await http('GET', `/runs/${bt2}/report.html`)).status).toBe(404);
    expect((await http('GET', `/runs/${bt1}/config.ini`)).status).toBe(404);
    expect((await http('GET', `/runs/${bt1}/..%2F..%2F.env`)).status).toBe(404);
    expect((await http('GET', '/runs/..%2F.env/report.txt')).status).toBe(404);
    expect((await http('GET', '/api/runs/%E0%A4%A')).status).toBe(404);
  });

  it('refuses a backtest with a bad parameter with 400 and the CLI\'s message, and starts nothing', async () => {
    const before = dbRuns().length;
    const form = { strategy: 'simple_ma', symbols: 'BTC/USDT', timeframe: '1h', from: '2023-01-01', to: '2023-02-01' };
    // The cross-parameter rule (fast < slow) is the strategy's own, checked as the CLI checks it.
    const cross = await postJson({ ...form, params: { fast: '60', slow: '20' } });
    expect(cross.status).toBe(400);
    expect(JSON.parse(cross.body).error).toMatch(/strategy\.simple_ma\.fast = 60 is not allowed: fast must be < slow/);
    const range = await postJson({ ...form, params: { fast: '0' } });
    expect(range.status).toBe(400);
    expect(JSON.parse(range.body).error).toMatch(/strategy\.simple_ma\.fast = "0" is not allowed/);
    const unknown = await postJson({ ...form, params: { fats: '10' } });
    expect(JSON.parse(unknown.body).error).toMatch(/strategy\.simple_ma\.fats: unknown parameter/);
    // A config value the config validation refuses (a period that ends before it starts).
    expect(JSON.parse((await postJson({ ...form, to: '2022-01-01', params: {} })).body).error).toMatch(/to: 2022-01-01 must be after from 2023-01-01/);
    expect((await postJson({ ...form, strategy: 'no_such', params: {} })).status).toBe(400);
    // A key that tries to reach another config section through the --set is not a parameter name.
    expect(JSON.parse((await postJson({ ...form, params: { 'x=1 --set general.mode': 'live' } })).body).error).toMatch(/is not a parameter name/);
    // The secret echoed back in an error message comes out redacted.
    const echoed = await postJson({ ...form, params: { shorts: FAKE_SECRET } });
    expect(echoed.status).toBe(400);
    expect(echoed.body).toContain('[REDACTED]');
    expect(dbRuns().length).toBe(before);
  });

  it('shows every run of the state database, sorts and filters them, and opens a run with its report', async () => {
    await page.goto(base);
    await page.waitForSelector('body[data-loaded="true"]');
    const inDb = dbRuns();
    expect(inDb.map((r) => r.mode).sort()).toEqual(['backtest', 'backtest', 'backtest', 'dry-run']);
    // Newest first by default, exactly the database's runs.
    expect(await listedIds()).toEqual(inDb.map((r) => r.id));
    const statuses = await page.$$eval('#runs tbody tr td.status', (tds) => tds.map((t) => t.textContent));
    expect(statuses).toEqual(inDb.map((r) => r.status));
    // Sorting: by id ascending, then descending.
    await page.click('#runs th[data-sort="id"]');
    expect(await listedIds()).toEqual(inDb.map((r) => r.id).sort());
    await page.click('#runs th[data-sort="id"]');
    expect(await listedIds()).toEqual(inDb.map((r) => r.id).sort().reverse());
    // By trade count: the shown counts are in order (runs without one last).
    await page.click('#runs th[data-sort="trades.count"]');
    const trades = await page.$$eval('#runs tbody tr td:nth-child(12)', (tds) => tds.map((t) => t.textContent!));
    expect(trades.at(-1)).toBe('-');
    const counted = trades.slice(0, -1).map(Number);
    expect(counted.every((n) => Number.isFinite(n))).toBe(true);
    expect([...counted].sort((x, y) => x - y)).toEqual(counted);
    // The run of another shape: its strategies and symbols, and no made-up metric.
    const foreign = await page.$$eval(`#runs tr[data-run-id="${FOREIGN}"] td`, (tds) => tds.map((t) => t.textContent));
    expect(foreign.slice(5, 12)).toEqual(['macd_rsi_confluence, momentum_rank', 'BTC/USDT, SOL/USDT', '4h', '-', '-', '-', '-']);
    // Filters: mode, strategy, symbol.
    await page.selectOption('#f-mode', 'dry-run');
    expect(await listedIds()).toEqual(inDb.filter((r) => r.mode === 'dry-run').map((r) => r.id));
    await page.selectOption('#f-mode', '');
    await page.selectOption('#f-strategy', 'ema_cross');
    expect(await listedIds()).toEqual([bt2]);
    await page.selectOption('#f-strategy', 'momentum_rank');
    expect(await listedIds()).toEqual([FOREIGN]);
    await page.selectOption('#f-strategy', '');
    await page.selectOption('#f-symbol', 'ETH/USDT');
    expect((await listedIds()).sort()).toEqual(inDb.filter((r) => r.id !== bt2 && r.id !== FOREIGN).map((r) => r.id).sort());
    await page.selectOption('#f-symbol', '');
    await page.selectOption('#f-status', 'failed');
    expect(await listedIds()).toEqual([]);
    await page.selectOption('#f-status', '');
    // The run's report links, only where the file is (and is the run's own).
    expect(await page.$$eval(`#runs tr[data-run-id="${bt1}"] a`, (as) => as.map((a) => a.textContent))).toEqual(['report.html', 'report.txt']);
    expect(await page.$$eval(`#runs tr[data-run-id="${bt2}"] a`, (as) => as.map((a) => a.textContent))).toEqual(['report.txt']);
    await page.screenshot({ path: screenshotPath('dashboard', 'runs.png') });
    await page.click(`#runs tr[data-run-id="${bt1}"] td.run-id`);
    await page.waitForSelector('#run-section:not([hidden]) #run-chart canvas');
    expect(await page.textContent('#run-title')).toContain(bt1);
    await page.screenshot({ path: screenshotPath('dashboard', 'run.png') });
    expect(errors).toEqual([]);
    // The run's real report.html, opened through the dashboard: it runs under the report's CSP
    // with no error (a blocked script or style would be a console error) and draws its charts.
    const report = await pageWithErrors(browser);
    await report.page.goto(`${base}runs/${bt1}/report.html`);
    const ready = (): boolean => (globalThis as { __report?: { ready?: boolean } }).__report?.ready === true;
    await report.page.waitForFunction(ready, undefined, { timeout: 20_000 }).catch((e: Error) => {
      throw new Error(`${e.message}: ${report.errors.join(' | ')}`);
    });
    expect(await report.page.locator('canvas').count()).toBeGreaterThan(0);
    expect(report.errors).toEqual([]);
    await report.page.close();
  });

  it('the form checks in the browser, shows the server\'s refusal, then starts a backtest that appears as completed', async () => {
    const posts: string[] = [];
    page.on('request', (r) => void (r.method() === 'POST' && posts.push(r.url())));
    await page.selectOption('#form-strategy', 'simple_ma');
    // The parameter inputs come from the schema, with its defaults.
    expect(await page.$$eval('#form-params [data-param]', (els) => els.map((e) => e.getAttribute('data-param')))).toEqual(['fast', 'slow', 'shorts']);
    expect(await page.inputValue('[data-param="fast"]')).toBe('20');
    await page.fill('#form-symbols', 'BTC/USDT');
    await page.fill('#form-from', '2023-01-01');
    await page.fill('#form-to', '2023-02-01');
    // Caught in the browser: nothing is posted.
    await page.fill('[data-param="fast"]', 'abc');
    await page.click('#form-submit');
    await page.waitForSelector('#form-errors[data-source="browser"]:not([hidden])');
    expect(await page.textContent('#form-errors')).toContain('strategy.simple_ma.fast = "abc" is not allowed: expected a whole number >= 1');
    expect(posts).toEqual([]);
    // Only the server knows the cross-parameter rule: its message is shown.
    await page.fill('[data-param="fast"]', '60');
    await page.click('#form-submit');
    await page.waitForSelector('#form-errors[data-source="server"]:not([hidden])');
    expect(await page.textContent('#form-errors')).toContain('fast must be < slow');
    // Chromium logs the refused post (400) as a console error: that one, and nothing else.
    expect(errors).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    errors.length = 0;
    expect(await page.getAttribute('[data-param="fast"]', 'class')).toContain('invalid');
    await page.fill('[data-param="fast"]', '10');
    await page.fill('[data-param="slow"]', '30');
    await page.click('#form-submit');
    await page.waitForSelector('#jobs tr[data-job-id="job-1"]');
    await page.waitForSelector('#jobs tr[data-job-id="job-1"][data-state="completed"]', { timeout: 30_000 });
    const runId = (await page.textContent('#jobs tr[data-job-id="job-1"] td.job-run'))!;
    expect(await page.textContent('#jobs tr[data-job-id="job-1"] td.num')).toContain('100 %');
    // It ran what the form said, as a backtest of the CLI, and it is in the list as completed.
    const row = query<{ status: string; config_snapshot: string; symbols: string; from_ts: number; to_ts: number }>(ws.stateDb, 'SELECT r.status, r.config_snapshot, s.symbols, s.from_ts, s.to_ts FROM runs r JOIN backtest_summaries s ON s.run_id = r.id WHERE r.id = ?', runId)[0]!;
    expect(row.status).toBe('completed');
    expect(row.symbols).toBe('BTC/USDT');
    expect([row.from_ts, row.to_ts]).toEqual([Date.UTC(2023, 0, 1), Date.UTC(2023, 1, 1)]);
    expect(row.config_snapshot).toMatch(/^fast = 10$/m);
    expect(row.config_snapshot).toMatch(/^slow = 30$/m);
    await page.waitForSelector(`#runs tr[data-run-id="${runId}"] td.status:text("completed")`);
    expect((await listedIds()).sort()).toEqual(dbRuns().map((r) => r.id).sort());
    await page.screenshot({ path: screenshotPath('dashboard', 'backtest-started.png') });
    expect(errors).toEqual([]);
  });

  it('compares selected runs side by side: the metrics of each and their equity curves', async () => {
    await page.check(`#runs tr[data-run-id="${bt1}"] input.select-run`);
    await page.check(`#runs tr[data-run-id="${bt2}"] input.select-run`);
    await page.click('#compare-button');
    await page.waitForSelector('#compare-section:not([hidden]) #compare-chart canvas');
    const heads = await page.$$eval('#compare-table tr:first-child th', (ths) => ths.map((t) => t.textContent));
    expect(heads).toEqual(['metric', bt1, bt2]);
    const metrics = query<{ run_id: string; metrics: string }>(ws.stateDb, 'SELECT run_id, metrics FROM backtest_summaries WHERE run_id IN (?, ?)', bt1, bt2);
    const ret = (id: string): string => `${((JSON.parse(metrics.find((m) => m.run_id === id)!.metrics) as { returns: { totalReturn: number } }).returns.totalReturn * 100).toFixed(2)} %`;
    const shown = await page.$$eval('#compare-table tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)).find((c) => c[0] === 'total return'));
    expect(shown).toEqual(['total return', ret(bt1), ret(bt2)]);
    await page.screenshot({ path: screenshotPath('dashboard', 'compare.png') });
    expect(errors).toEqual([]);
  });

  it('follows a running run: its equity, positions and signals update while the daemon commits steps', async () => {
    // A paper daemon trading the seeded stream, 20 steps a second, with a fast-crossing rule.
    const daemon = cli(['--dry-run', '--set', 'dry_run.speed=20', '--set', 'strategy.simple_ma.fast=2', '--set', 'strategy.simple_ma.slow=5', '--set', 'dry_run.max_candles=2000']);
    try {
      let id = '';
      await waitFor(() => (id = query<{ id: string }>(ws.stateDb, "SELECT id FROM runs WHERE pid = ? AND status = 'running'", daemon.child.pid)[0]?.id ?? '') !== '', 20_000, 'the daemon running');
      await page.waitForSelector(`#runs tr.running[data-run-id="${id}"]`, { timeout: 10_000 });
      await page.click(`#runs tr[data-run-id="${id}"] td.run-id`);
      await page.waitForSelector(`#run-title:has-text("${id}")`);
      const first = await page.textContent('#run-meta');
      // The page polls: the shown equity and last step move on without a reload.
      await expect.poll(() => page.textContent('#run-meta'), { timeout: 10_000 }).not.toBe(first);
      await page.waitForSelector('#run-signals tr:nth-child(2) td:not(.muted)', { timeout: 10_000 });
      // What it shows are the daemon's own signals, as committed.
      const shown = await page.$$eval('#run-signals tr', (trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('td')].slice(1, 4).map((td) => td.textContent)));
      const inDb = query<{ strategy_id: string; symbol: string; kind: string }>(ws.stateDb, 'SELECT strategy_id, symbol, kind FROM signals WHERE run_id = ?', id).map((r) => [r.strategy_id, r.symbol, r.kind].join(' '));
      expect(shown.length).toBeGreaterThan(0);
      for (const row of shown) expect(inDb).toContain(row.join(' '));
      expect(await page.$$eval('#run-positions tr th', (ths) => ths.map((t) => t.textContent))).toEqual(['strategy', 'symbol', 'qty', 'avgPrice', 'updatedTs']);
      await page.screenshot({ path: screenshotPath('dashboard', 'live-run.png') });
    } finally {
      daemon.child.kill('SIGINT');
      await daemon.exited;
    }
    expect(errors).toEqual([]);
  });

  it('never shows a secret and stops cleanly on SIGTERM', async () => {
    expect(bodies.length).toBeGreaterThan(20);
    for (const b of bodies) {
      expect(b).not.toContain(FAKE_KEY);
      expect(b).not.toContain(FAKE_SECRET);
    }
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.out()).toContain('dashboard stopped (SIGTERM)');
    expect(serve.err()).not.toMatch(/CT_ERR_|Error/);
  });
});
