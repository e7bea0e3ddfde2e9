import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { tempWorkspace } from './backtest-env.ts';
import { runCliProcess } from './cli-process.ts';
import { startFakeBybit, type FakeBybitServer } from './fake-bybit/server.ts';
import { serveSynthetic } from './fake-bybit/sources.ts';

/**
 * Exchange-backed runs (forward with bybit_demo, live) against the fake Bybit server as an
 * operator starts them: real CLI processes with API keys in their environment, a workspace each.
 *
 * The fake's clock starts at the wall clock and runs `speed` times faster, so the daemon's orders
 * are signed with the wall clock (what the fake checks) while candles close every few hundred ms;
 * `preflight.max_clock_skew_ms = 0` lets the daemon start against a clock that runs ahead.
 */
export const M = 60_000;

export async function startExchangeFake(opts: { symbols: readonly string[]; accounts: ReadonlyArray<{ apiKey: string; secret: string; demo?: boolean }>; speed: number; seed?: number }): Promise<FakeBybitServer> {
  const now = Math.floor(Date.now() / M) * M;
  const count = 3000;
  const server = await startFakeBybit({
    now: now + M / 2,
    accounts: opts.accounts.map((a) => ({ apiKey: a.apiKey, secret: a.secret, balances: { USDT: 10_000 }, ...(a.demo === true ? { demo: true } : {}) })),
    // The daemon is one client; the fake's default limits are Bybit's own.
  });
  for (const category of ['linear', 'spot'] as const) serveSynthetic(server, { seed: opts.seed ?? 11, ids: opts.symbols, category, timeframe: '1m', from: now - (count - 600) * M, count });
  server.startReplay(opts.speed, 50);
  return server;
}

export interface ExchangeWorkspace {
  readonly root: string;
  readonly stateDb: string;
  readonly sets: string[];
  readonly env: NodeJS.ProcessEnv;
}

/** A workspace whose runs trade the fake account `apiKey` (keys in the environment, never on the command line). */
export function exchangeWorkspace(server: FakeBybitServer, key: { apiKey: string; secret: string }, sets: readonly string[]): ExchangeWorkspace {
  const ws = tempWorkspace('ct-demo-');
  const env = { ...process.env, BYBIT_API_KEY: key.apiKey, BYBIT_API_SECRET: key.secret };
  return {
    root: ws.root,
    stateDb: ws.stateDb,
    env,
    sets: [
      ...ws.sets,
      `exchange.rest_url=${server.restUrl}`, `exchange.ws_url=${server.wsUrl}`, `exchange.demo_rest_url=${server.restUrl}`, `exchange.demo_ws_url=${server.wsUrl}`,
      'general.mode=forward', 'preflight.max_clock_skew_ms=0', 'exchange.market=linear', 'market.timeframe=1m', 'forward.execution=bybit_demo', 'forward.account=demo',
      'forward.warmup_candles=60', 'exchange.retry_base_ms=50', 'exchange.retry_cap_ms=500',
      ...sets,
    ],
  };
}

export function setArgs(sets: readonly string[]): string[] {
  return sets.flatMap((s) => ['--set', s]);
}

/** Runs `fn` on a short-lived read-only connection to a workspace's state DB. */
export function withDb<T>(stateDb: string, fn: (db: Database.Database) => T): T {
  const db = new Database(stateDb, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export interface FillRow { run_id: string; id: string; order_id: string; strategy_id: string; symbol: string; side: string; qty: number; price: number; fee: number; reason: string }

/** Every fill the account `account` booked, over all its runs. */
export function accountFills(stateDb: string, account: string): FillRow[] {
  return withDb(stateDb, (db) => db.prepare('SELECT f.run_id, f.id, f.order_id, f.strategy_id, f.symbol, f.side, f.qty, f.price, f.fee, f.reason FROM fills f JOIN runs r ON r.id = f.run_id WHERE r.account = ? ORDER BY r.rowid, f.rowid').all(account) as FillRow[]);
}

/** The account's state after its last committed step: cash and the non-zero positions per strategy and symbol. */
export function accountBook(stateDb: string, account: string): { cash: number; positions: Array<{ strategyId: string; symbol: string; qty: number }> } {
  const row = withDb(stateDb, (db) => db.prepare('SELECT s.state FROM account_state s JOIN runs r ON r.id = s.run_id WHERE r.account = ? ORDER BY r.rowid DESC LIMIT 1').get(account) as { state: string });
  const st = JSON.parse(row.state) as { portfolio: { cash: number; ledgers: Array<{ strategyId: string; symbol: string; qty: number }> } };
  return { cash: st.portfolio.cash, positions: st.portfolio.ledgers.filter((p) => p.qty !== 0).map((p) => ({ strategyId: p.strategyId, symbol: p.symbol, qty: p.qty })) };
}

/** Every text a workspace holds (log files, results, the state DB's rows), to look for what must never be there. */
export function workspaceTexts(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!/\.db(-wal|-shm)?$/.test(name)) out.push(readFileSync(p, 'utf8'));
    }
  };
  if (existsSync(root)) walk(root);
  const dbFile = join(root, 'State', 'trading.db');
  if (existsSync(dbFile)) {
    withDb(dbFile, (db) => {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      for (const t of tables) out.push(JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all()));
    });
  }
  return out;
}

export interface RunOutput { code: number | null; stdout: string; stderr: string }

/**
 * The exchange-backed runs of one test file on one fake: each workspace trades its own exchange
 * account; every output and workspace is kept, so the file can check at the end that no key or
 * secret reached any of them.
 */
export class ExchangeRuns {
  readonly outputs: RunOutput[] = [];
  readonly workspaces: ExchangeWorkspace[] = [];

  constructor(private readonly server: () => FakeBybitServer) {}

  space(key: { apiKey: string; secret: string }, sets: readonly string[]): ExchangeWorkspace {
    const ws = exchangeWorkspace(this.server(), key, sets);
    this.workspaces.push(ws);
    return ws;
  }

  async run(ws: ExchangeWorkspace, extra: readonly string[], timeoutMs = 90_000): Promise<RunOutput> {
    const out = await runCliProcess([...setArgs(ws.sets), ...extra], timeoutMs, ws.env);
    this.outputs.push(out);
    return out;
  }

  /** The fills the account booked equal the exchange account's executions one to one (ids, sides, quantities, prices, fees). */
  expectFillsEqualExecutions(ws: ExchangeWorkspace, apiKey: string, account = 'demo'): number {
    const execs = this.server().account(apiKey)!.executions;
    const fills = accountFills(ws.stateDb, account);
    expect(new Set(fills.map((f) => f.id)).size, 'no execution booked twice').toBe(fills.length);
    const byId = new Map(fills.map((f) => [f.id, f] as const));
    expect([...byId.keys()].sort()).toEqual(execs.map((x) => x.execId).sort());
    for (const x of execs) {
      const f = byId.get(x.execId)!;
      expect({ id: f.id, side: f.side, qty: f.qty, price: f.price, fee: f.fee }).toEqual({ id: x.execId, side: x.side.toLowerCase(), qty: x.execQty, price: x.execPrice, fee: x.execFee });
    }
    return execs.length;
  }

  /** The account's cash and net position per symbol equal the exchange account's (linear). */
  expectBookEqualsExchange(ws: ExchangeWorkspace, apiKey: string, account = 'demo'): void {
    const view = this.server().account(apiKey)!;
    const book = accountBook(ws.stateDb, account);
    expect(book.cash).toBeCloseTo(view.balances['USDT']!, 6);
    const net = new Map<string, number>();
    for (const p of book.positions) net.set(exchangeId(p.symbol), (net.get(exchangeId(p.symbol)) ?? 0) + p.qty);
    const exchange = new Map(view.positions.map((p) => [p.symbol, p.size] as const));
    for (const s of new Set([...net.keys(), ...exchange.keys()])) expect(net.get(s) ?? 0, s).toBeCloseTo(exchange.get(s) ?? 0, 9);
  }

  /** No key or secret in any output, log, result file or state DB row of the runs so far. */
  expectNoSecrets(keys: ReadonlyArray<{ apiKey: string; secret: string }>, minOutputs: number): void {
    expect(this.outputs.length).toBeGreaterThanOrEqual(minOutputs);
    const texts = [...this.outputs.flatMap((o) => [o.stdout, o.stderr]), ...this.workspaces.flatMap((w) => workspaceTexts(w.root))];
    expect(texts.join('').length).toBeGreaterThan(10_000);
    for (const s of keys.flatMap((k) => [k.apiKey, k.secret])) for (const t of texts) expect(t.includes(s), s).toBe(false);
  }
}

/** BTC/USDT:USDT -> BTCUSDT. */
export function exchangeId(symbol: string): string {
  return symbol.replace(/\/USDT(:USDT)?$/, 'USDT');
}
