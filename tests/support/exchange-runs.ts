import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateSynthetic } from '../../src/data/synthetic.ts';
import { tempWorkspace } from './backtest-env.ts';
import { startFakeBybit, type FakeBybitServer } from './fake-bybit/server.ts';

/**
 * Exchange-backed runs (forward with bybit_demo, live) against the fake Bybit server as an
 * operator starts them: real CLI processes with API keys in their environment, a workspace each.
 *
 * The fake's clock starts at the wall clock and runs `speed` times faster, so the daemon's orders
 * are signed with the wall clock (what the fake checks) while candles close every few hundred ms;
 * `exchange.max_clock_skew_ms = 0` lets the daemon start against a clock that runs ahead.
 */
export const M = 60_000;

export async function startExchangeFake(opts: { symbols: readonly string[]; accounts: ReadonlyArray<{ apiKey: string; secret: string }>; speed: number; seed?: number }): Promise<FakeBybitServer> {
  const now = Math.floor(Date.now() / M) * M;
  const count = 3000;
  const server = await startFakeBybit({
    now: now + M / 2,
    accounts: opts.accounts.map((a) => ({ apiKey: a.apiKey, secret: a.secret, balances: { USDT: 10_000 } })),
    // The daemon is one client; the fake's default limits are Bybit's own.
  });
  for (const [id, cols] of generateSynthetic({ seed: opts.seed ?? 11, symbols: [...opts.symbols], timeframe: '1m', from: now - (count - 600) * M, count })) server.addCandles('linear', id, M, cols);
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
      'general.mode=forward', 'exchange.max_clock_skew_ms=0', 'exchange.market=linear', 'market.timeframe=1m', 'forward.execution=bybit_demo', 'forward.account=demo',
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
