import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeReaders, readDb, until } from '../../support/forward-daemon.ts';
import { runCliProcess } from '../../support/cli-process.ts';
import type { FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { accountBook, accountFills, exchangeWorkspace, setArgs, startExchangeFake, withDb, workspaceTexts, type ExchangeWorkspace } from '../../support/exchange-runs.ts';

/**
 * Orders on an exchange account: forward runs with forward.execution = bybit_demo, and live runs,
 * against the fake Bybit server's private API (real CLI processes, real SQLite, the real private
 * stream). Each case trades its own exchange account.
 */

const KEYS = {
  book: { apiKey: 'KEYbook7f3a9c1d2e', secret: 'SECbook0b8e7d6c5a4f3e2d1c' },
  lost: { apiKey: 'KEYlost2a4c6e8g0', secret: 'SEClost9z8y7x6w5v4u3t2s1r' },
  stream: { apiKey: 'KEYstrm5b7d9f1h3', secret: 'SECstrm1q2w3e4r5t6y7u8i9o' },
  foreign: { apiKey: 'KEYfrgn8c0e2g4i6', secret: 'SECfrgn0p9o8i7u6y5t4r3e2w' },
  live: { apiKey: 'KEYlive3d5f7h9j1', secret: 'SEClive5g6h7j8k9l0z1x2c3v' },
  drift: { apiKey: 'KEYdrft6f8h0j2l4', secret: 'SECdrft7h8j9k0l1m2n3b4v5c' },
};
const TREND = ['strategies.enabled=trend_following', 'strategy.trend_following.fast=3', 'strategy.trend_following.slow=8', 'strategy.trend_following.adx_min=5', 'strategy.trend_following.atr_stop=0.5'];
const FAST_MA = ['strategies.enabled=simple_ma', 'strategy.simple_ma.fast=2', 'strategy.simple_ma.slow=4'];
const SYMBOLS = 'market.symbols=BTC/USDT:USDT,ETH/USDT:USDT';

interface Output { code: number | null; stdout: string; stderr: string }

describe('orders on a Bybit account (the fake exchange)', () => {
  let server: FakeBybitServer;
  const outputs: Output[] = [];
  const workspaces: ExchangeWorkspace[] = [];
  const run = async (ws: ExchangeWorkspace, extra: readonly string[], timeoutMs = 90_000): Promise<Output> => {
    const out = await runCliProcess([...setArgs(ws.sets), ...extra], timeoutMs, ws.env);
    outputs.push(out);
    return out;
  };
  const space = (key: { apiKey: string; secret: string }, sets: readonly string[]): ExchangeWorkspace => {
    const ws = exchangeWorkspace(server, key, sets);
    workspaces.push(ws);
    return ws;
  };
  /** The fills booked equal the exchange's executions one to one. */
  const expectFillsEqualExecutions = (ws: ExchangeWorkspace, apiKey: string, account = 'demo'): number => {
    const execs = server.account(apiKey)!.executions;
    const fills = accountFills(ws.stateDb, account);
    expect(new Set(fills.map((f) => f.id)).size, 'no execution booked twice').toBe(fills.length);
    const byId = new Map(fills.map((f) => [f.id, f] as const));
    expect([...byId.keys()].sort()).toEqual(execs.map((x) => x.execId).sort());
    for (const x of execs) {
      const f = byId.get(x.execId)!;
      expect({ id: f.id, side: f.side, qty: f.qty, price: f.price, fee: f.fee }).toEqual({ id: x.execId, side: x.side.toLowerCase(), qty: x.execQty, price: x.execPrice, fee: x.execFee });
    }
    return execs.length;
  };
  const expectBookEqualsExchange = (ws: ExchangeWorkspace, apiKey: string, account = 'demo'): void => {
    const view = server.account(apiKey)!;
    const book = accountBook(ws.stateDb, account);
    expect(book.cash).toBeCloseTo(view.balances['USDT']!, 6);
    const net = new Map<string, number>();
    for (const p of book.positions) net.set(p.symbol.replace('/USDT:USDT', 'USDT'), (net.get(p.symbol.replace('/USDT:USDT', 'USDT')) ?? 0) + p.qty);
    const exchange = new Map(view.positions.map((p) => [p.symbol, p.size] as const));
    for (const s of new Set([...net.keys(), ...exchange.keys()])) expect(net.get(s) ?? 0, s).toBeCloseTo(exchange.get(s) ?? 0, 9);
  };

  beforeAll(async () => {
    server = await startExchangeFake({ symbols: ['BTCUSDT', 'ETHUSDT'], accounts: Object.values(KEYS), speed: 120 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('books every execution of a demo run as the exchange reports it, and holds what the exchange holds after a restart', async () => {
    const ws = space(KEYS.book, [SYMBOLS, ...TREND]);
    const first = await run(ws, ['--max-candles', '10', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('forward on Bybit demo trading, account demo (linear)');
    const second = await run(ws, ['--max-candles', '4', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const n = expectFillsEqualExecutions(ws, KEYS.book.apiKey);
    expect(n).toBeGreaterThan(2);
    expectBookEqualsExchange(ws, KEYS.book.apiKey);
    // Its protective stops rest on the exchange as conditional orders carrying the daemon's ids.
    const orders = server.account(KEYS.book.apiKey)!.orders;
    expect(orders.some((o) => o.stopOrderType === 'Stop' && o.orderLinkId.startsWith('cts'))).toBe(true);
    expect(orders.every((o) => /^ct[est][0-9a-f]{30}$/.test(o.orderLinkId))).toBe(true);
    const runs = withDb(ws.stateDb, (db) => db.prepare("SELECT id, mode, status, account, resumed_from FROM runs ORDER BY rowid").all() as Array<{ id: string; mode: string; status: string; account: string; resumed_from: string | null }>);
    expect(runs.map((r) => [r.mode, r.status, r.account])).toEqual([['forward', 'completed', 'demo'], ['forward', 'completed', 'demo']]);
    expect(runs[1]!.resumed_from).toBe(runs[0]!.id);
  }, 120_000);

  it('finds an order whose reply was lost after the exchange accepted it by its orderLinkId, and never sends it twice', async () => {
    const ws = space(KEYS.lost, ['market.symbols=BTC/USDT:USDT', ...FAST_MA]);
    const before = server.requestsTo('/v5/order/create').length;
    server.faults.next({ kind: 'reply_lost_after_accept', count: 2 });
    const out = await run(ws, ['--max-candles', '20']);
    expect(out.code, out.stderr).toBe(0);
    // At least one answer was lost (how many orders a run sends depends on the candles).
    expect(server.faults.applied['reply_lost_after_accept'] ?? 0).toBeGreaterThanOrEqual(1);
    const sent = server.requestsTo('/v5/order/create').slice(before).map((r) => (JSON.parse(r.body!) as { orderLinkId: string }).orderLinkId);
    const mine = new Set(server.account(KEYS.lost.apiKey)!.orders.map((o) => o.orderLinkId));
    const ours = sent.filter((l) => mine.has(l));
    expect(ours.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ours).size, 'one create request per orderLinkId').toBe(ours.length);
    expectFillsEqualExecutions(ws, KEYS.lost.apiKey);
    expectBookEqualsExchange(ws, KEYS.lost.apiKey);
  }, 120_000);

  it('books the fills the private stream lost, and those made while it was down, over REST', async () => {
    const ws = space(KEYS.stream, ['market.symbols=BTC/USDT:USDT', ...FAST_MA]);
    server.faults.next({ kind: 'skip_execution', where: 'ws', count: Number.POSITIVE_INFINITY });
    const dropper = setInterval(() => server.dropWsConnections(), 3000);
    const out = await run(ws, ['--max-candles', '20']).finally(() => clearInterval(dropper));
    server.faults.clear();
    expect(out.code, out.stderr).toBe(0);
    expect(server.faults.applied['skip_execution'] ?? 0).toBeGreaterThan(0);
    expect(expectFillsEqualExecutions(ws, KEYS.stream.apiKey)).toBeGreaterThanOrEqual(2);
    expectBookEqualsExchange(ws, KEYS.stream.apiKey);
  }, 120_000);

  it('reports a position it did not open and leaves it alone, or stops the start with the diff and exit 3', async () => {
    const admin = await fetch(`${server.adminUrl}/accounts/${KEYS.foreign.apiKey}/positions`, { method: 'POST', body: JSON.stringify({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', qty: 0.5 }) });
    expect(admin.status).toBeLessThan(300);
    const ws = space(KEYS.foreign, [SYMBOLS, ...FAST_MA]);
    const creates = server.requestsTo('/v5/order/create').length;
    const stopped = await run(ws, ['--set', 'live.on_foreign_position=stop', '--max-candles', '3']);
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(stopped.stdout).toMatch(/X foreign_position +ETH\/USDT:USDT: the exchange holds 0\.5, 0\.5 of it not placed by this daemon/);
    expect(stopped.stderr).toContain('CT_ERR_FOREIGN_POSITION');
    expect(server.requestsTo('/v5/order/create').length, 'no order was sent').toBe(creates);
    const ignored = await run(ws, ['--max-candles', '3']);
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(ignored.stdout).toMatch(/! foreign_position +ETH\/USDT:USDT/);
    const events = withDb(ws.stateDb, (db) => db.prepare('SELECT kind, symbol, exchange, action FROM reconciliation_events ORDER BY run_id, seq').all());
    expect(events).toContainEqual({ kind: 'foreign_position', symbol: 'ETH/USDT:USDT', exchange: 0.5, action: 'stopped' });
    expect(events).toContainEqual({ kind: 'foreign_position', symbol: 'ETH/USDT:USDT', exchange: 0.5, action: 'reported' });
    // The daemon never touched it: the exchange still holds the foreign 0.5 ETH beside whatever it traded.
    const eth = server.account(KEYS.foreign.apiKey)!.positions.find((p) => p.symbol === 'ETHUSDT');
    const bookEth = accountBook(ws.stateDb, 'demo').positions.filter((p) => p.symbol === 'ETH/USDT:USDT').reduce((a, p) => a + p.qty, 0);
    expect((eth?.size ?? 0) - bookEth).toBeCloseTo(0.5, 9);
  }, 120_000);

  it('trades the real account in live mode only with live.confirm and --confirm-live, and refuses before any request without either', async () => {
    const ws = space(KEYS.live, ['market.symbols=BTC/USDT:USDT', ...FAST_MA, 'forward.execution=paper']);
    const requests = server.requests.length;
    const noFlag = await run(ws, ['--mode', 'live', '--set', 'live.confirm=true', '--max-candles', '2']);
    const noConfirm = await run(ws, ['--mode', 'live', '--confirm-live', '--max-candles', '2']);
    for (const r of [noFlag, noConfirm]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('CT_ERR_LIVE_NOT_CONFIRMED');
    }
    expect(noFlag.stderr).toContain('missing: --confirm-live');
    expect(noConfirm.stderr).toContain('missing: [live] confirm = true');
    expect(server.requests.length, 'no request of any kind before both confirmations').toBe(requests);
    const live = await run(ws, ['--mode', 'live', '--set', 'live.confirm=true', '--confirm-live', '--max-candles', '8', '--json']);
    expect(live.code, live.stderr).toBe(0);
    expect(live.stderr).toContain('LIVE TRADING: REAL ORDERS on Bybit (REAL ACCOUNT), account live (linear)');
    const runs = withDb(ws.stateDb, (db) => db.prepare('SELECT mode, status, account FROM runs').all());
    expect(runs).toEqual([{ mode: 'live', status: 'completed', account: 'live' }]);
    expect(expectFillsEqualExecutions(ws, KEYS.live.apiKey, 'live')).toBeGreaterThan(0);
  }, 120_000);

  it('raises a drift event while running when the exchange account changes under the daemon', async () => {
    // A slow strategy: the comparison waits while an order is in flight or a fill waits for its step.
    const ws = space(KEYS.drift, ['market.symbols=BTC/USDT:USDT', 'strategies.enabled=simple_ma', 'strategy.simple_ma.fast=20', 'strategy.simple_ma.slow=50', 'live.reconcile_interval_s=5']);
    const running = run(ws, ['--max-candles', '24']);
    await until(() => (readDb(ws.stateDb, (db) => (db.prepare('SELECT COUNT(*) n FROM equity').get() as { n: number }).n) ?? 0) > 0, 60_000, 'the run to trade');
    closeReaders();
    const admin = await fetch(`${server.adminUrl}/accounts/${KEYS.drift.apiKey}/balances`, { method: 'POST', body: JSON.stringify({ coin: 'USDT', amount: 25_000 }) });
    expect(admin.status).toBeLessThan(300);
    const out = await running;
    expect(out.code, out.stderr).toBe(0);
    const events = withDb(ws.stateDb, (db) => db.prepare("SELECT phase, kind, symbol, exchange, action FROM reconciliation_events WHERE phase = 'periodic'").all() as Array<{ kind: string; exchange: number; action: string }>);
    expect(events.filter((e) => e.kind === 'cash').length).toBeGreaterThan(0);
    expect(events.find((e) => e.kind === 'cash')).toMatchObject({ symbol: 'USDT', action: 'reported' });
    const drift = readdirSync(join(ws.root, 'logs')).map((f) => readFileSync(join(ws.root, 'logs', f), 'utf8')).join('');
    expect(drift).toMatch(/"code":"CT_ERR_RECONCILE_DRIFT".*RECONCILIATION DRIFT: USDT: the book has/);
  }, 120_000);

  it('refuses leverage on spot before any request is made', async () => {
    const ws = space(KEYS.drift, ['exchange.market=spot', 'market.symbols=BTC/USDT', ...FAST_MA, 'risk.max_leverage=2']);
    const requests = server.requests.length;
    const out = await run(ws, ['--max-candles', '2']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^CT_ERR_CONFIG_INVALID: --set: risk.max_leverage = 2 is not possible on spot/m);
    expect(server.requests.length).toBe(requests);
  });

  it('never lets an API key or secret reach a log, the state database, results, stdout or stderr', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(8);
    const secrets = Object.values(KEYS).flatMap((k) => [k.apiKey, k.secret]);
    const texts = [...outputs.flatMap((o) => [o.stdout, o.stderr]), ...workspaces.flatMap((w) => workspaceTexts(w.root))];
    expect(texts.join('').length).toBeGreaterThan(10_000);
    for (const s of secrets) for (const t of texts) expect(t.includes(s), s).toBe(false);
  });
});
