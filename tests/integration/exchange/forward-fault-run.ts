/**
 * The harness of the feed fault matrix: a fake Bybit in this process replaying two seeded 1m
 * series at 1200x (20 candles a second) from the moment the daemon has subscribed, a real
 * `--mode forward` daemon process pointed at it,
 * and faults injected from outside through the fake's HTTP admin endpoint, as an operator would.
 * What a run left behind is read back from its real State/trading.db and log file.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import type { TopicCandles } from '../../support/fake-bybit/ws-hub.ts';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { runCliProcess, type CliProcessResult } from '../../support/cli-process.ts';

export const M = 60_000;
export const FROM = Date.UTC(2024, 0, 1);
export const IDS = ['BTCUSDT', 'ETHUSDT'] as const;

/** One admin call; throws on a non-2xx answer so a broken admin route fails the test loudly. */
export async function admin(server: FakeBybitServer, method: 'GET' | 'POST' | 'DELETE', route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${server.adminUrl}${route}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }) });
  const json = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`admin ${method} ${route} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function waitUntil(what: string, cond: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** Closed candles per topic, as the admin endpoint lists them. */
export async function adminCandles(server: FakeBybitServer): Promise<TopicCandles[]> {
  return ((await admin(server, 'GET', '/candles')) as { topics: TopicCandles[] }).topics;
}

/** Waits until the daemon is live: subscribed, and `n` candles of every topic pushed since. */
export async function livePushes(server: FakeBybitServer, n: number): Promise<void> {
  await waitUntil(`${n} live pushes per symbol`, async () => {
    const topics = await adminCandles(server);
    const requests = ((await admin(server, 'GET', '/stats')) as { requests: Record<string, number> }).requests;
    return topics.length === IDS.length && topics.every((t) => t.pushed.length >= n);
  });
}

export interface FaultRunResult {
  readonly out: CliProcessResult;
  readonly runId: string;
  readonly runStatus: string;
  /** Equity rows of the run: one per traded step. */
  readonly equityTs: number[];
  readonly gaps: Array<{ symbol: string; from_ts: number; to_ts: number; message: string }>;
  /** What the fake exchange closed and pushed per topic, read through the admin endpoint at the end. */
  readonly topics: TopicCandles[];
  /** Every log message of the daemon (the JSON log file, in order). */
  readonly messages: string[];
  /** The daemon's status lines (one per step): its step count and the candles traded so far. */
  readonly status: Array<{ step: number; candles: number }>;
  /** REST requests the fake answered, per path. */
  readonly requests: Record<string, number>;
}

export interface FaultRunOptions {
  readonly steps: number;
  readonly sets?: readonly string[];
  /** Faults queued before the daemon starts (e.g. on instruments-info). */
  readonly before?: (server: FakeBybitServer) => Promise<void>;
  /** Runs beside the daemon: waits for the right moment and injects faults through the admin endpoint. */
  readonly during?: (server: FakeBybitServer) => Promise<void>;
}

/** Starts the fake exchange, runs one forward daemon against it with the faults given, and reads back what it did. */
export async function faultRun(opts: FaultRunOptions): Promise<FaultRunResult> {
  const server = await startFakeBybit({ now: FROM + 600 * M + M / 2 });
  const ws = tempWorkspace('ct-feed-faults-');
  try {
    for (const [id, cols] of generateSynthetic({ seed: 11, symbols: IDS, timeframe: '1m', from: FROM, count: 5000 })) server.addCandles('spot', id, M, cols);
    await opts.before?.(server);
    const sets = [
      ...ws.sets, `exchange.rest_url=${server.restUrl}`, `exchange.ws_url=${server.wsUrl}`, 'market.symbols=BTC/USDT,ETH/USDT', 'market.timeframe=1m',
      `forward.max_candles=${opts.steps}`, 'strategies.enabled=simple_ma', 'strategy.simple_ma.fast=3', 'strategy.simple_ma.slow=8', 'forward.warmup_candles=20',
      'exchange.retry_base_ms=20', 'exchange.retry_cap_ms=200', 'exchange.ws_ping_interval_ms=200', 'exchange.ws_stall_timeout_ms=1500', 'exchange.ws_summary_interval_ms=500',
      ...(opts.sets ?? []),
    ];
    let exited = false;
    const daemon = runCliProcess(['--mode', 'forward', '--json', ...sets.flatMap((s) => ['--set', s])], 60_000).finally(() => { exited = true; });
    let duringError: unknown;
    // The clock stands still until the daemon has subscribed, so every step of the run is a candle
    // that closed while it was live (however long a loaded machine takes to start it); then it runs.
    const during = (async () => {
      await waitUntil('the daemon subscribed', async () => {
        if (exited) throw new Error('the daemon exited before it subscribed');
        return (await adminCandles(server)).length === IDS.length;
      }, 45_000);
      await admin(server, 'POST', '/clock', { speed: 1200 });
      await opts.during?.(server);
    })().catch((e: unknown) => { duringError = e; });
    const out = await daemon;
    await during;
    if (duringError !== undefined) throw new Error(`the fault injection failed: ${(duringError as Error).message}\ndaemon stderr:\n${out.stderr.slice(-3000)}`);
    const last = out.stdout.trim().split('\n').at(-1) ?? '';
    let summary: { run_id: string; status: string };
    try {
      summary = JSON.parse(last) as { run_id: string; status: string };
    } catch {
      throw new Error(`forward exited ${out.code} without a summary\nstderr:\n${out.stderr.slice(-3000)}`);
    }
    const topics = await adminCandles(server);
    const requests = ((await admin(server, 'GET', '/stats')) as { requests: Record<string, number> }).requests;
    const db = new Database(ws.stateDb, { readonly: true });
    try {
      const equityTs = (db.prepare('SELECT ts FROM equity WHERE run_id = ? ORDER BY ts').all(summary.run_id) as Array<{ ts: number }>).map((r) => r.ts);
      const gaps = db.prepare('SELECT symbol, from_ts, to_ts, message FROM feed_gaps WHERE run_id = ? ORDER BY seq').all(summary.run_id) as FaultRunResult['gaps'];
      const logDir = join(ws.root, 'logs');
      const lines = readdirSync(logDir).flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n'))
        .filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const messages = lines.map((l) => String(l['msg'] ?? ''));
      const status = lines.filter((l) => typeof l['step'] === 'number' && String(l['msg']).startsWith('status')).map((l) => ({ step: l['step'] as number, candles: l['candles'] as number }));
      return { out, runId: summary.run_id, runStatus: summary.status, equityTs, gaps, topics, messages, status, requests };
    } finally {
      db.close();
    }
  } finally {
    server.stopReplay();
    await server.close();
  }
}

/**
 * The matrix's promise: the run completed its steps; its steps are one per minute without a hole
 * or a repeat, and each traded both symbols (the status line's candle count); every candle the
 * fake exchange closed up to the last step (for every symbol) was traded; no candle came after its
 * step; no gap was left; the feed's last summary says so too.
 */
export function expectEveryClosedCandleTradedOnce(r: FaultRunResult, steps: number): void {
  expect(r.out.code, r.out.stderr.slice(-2000)).toBe(0);
  expect(r.runStatus).toBe('completed');
  expect(r.equityTs).toHaveLength(steps);
  // Every step traded both symbols' candles: none was lost to a step that went on without it.
  expect(r.status.length).toBeGreaterThanOrEqual(steps);
  expect(r.status.filter((s) => s.candles !== IDS.length * s.step), 'steps traded without a symbol').toEqual([]);
  for (let i = 1; i < r.equityTs.length; i++) expect(r.equityTs[i]! - r.equityTs[i - 1]!).toBe(M);
  const last = r.equityTs.at(-1)!;
  const traded = new Set(r.equityTs);
  expect(r.topics.map((t) => t.symbol).sort()).toEqual([...IDS]);
  for (const t of r.topics) {
    // The clock started once the daemon was live: the candles it closed up to the last step are exactly the steps.
    const closedInRun = t.closed.filter((ts) => ts <= last);
    expect(closedInRun.filter((ts) => !traded.has(ts)), `${t.symbol}: closed but not traded`).toEqual([]);
    expect(closedInRun, `${t.symbol}: the steps are the candles the exchange closed`).toEqual(r.equityTs);
  }
  expect(r.messages.filter((m) => m.includes('arrived after its step'))).toEqual([]);
  expect(r.gaps).toEqual([]);
  const end = r.messages.filter((m) => m.startsWith('bybit feed summary at the end:'));
  expect(end).toHaveLength(1);
  expect(end[0]).toContain('0 gaps recorded');
}

/** The candles the fake closed during the run (up to its last step) but never pushed: skipped pushes, a stalled or cut connection. */
export function notPushed(r: FaultRunResult): number[] {
  const last = r.equityTs.at(-1) ?? -Infinity;
  return r.topics.flatMap((t) => {
    const pushed = new Set(t.pushed);
    return t.closed.filter((ts) => ts <= last && !pushed.has(ts));
  });
}
