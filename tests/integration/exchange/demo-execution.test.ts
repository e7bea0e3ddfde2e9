import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { accountBook, accountFills, ExchangeRuns, startExchangeFake, withDb } from '../../support/exchange-runs.ts';

/**
 * Orders on an exchange account: forward runs with forward.execution = bybit_demo against the fake Bybit server's private API (real CLI processes, real SQLite, the real private
 * stream). Each case trades its own exchange account.
 */

const KEYS = {
  book: { apiKey: 'KEYbook7f3a9c1d2e', secret: 'SECbook0b8e7d6c5a4f3e2d1c' },
  lost: { apiKey: 'KEYlost2a4c6e8g0', secret: 'SEClost9z8y7x6w5v4u3t2s1r' },
  stream: { apiKey: 'KEYstrm5b7d9f1h3', secret: 'SECstrm1q2w3e4r5t6y7u8i9o' },
  spot: { apiKey: 'KEYspot1a3c5e7g9', secret: 'SECspot9i8u7y6t5r4e3w2q1a' },
};
const TREND = ['strategies.enabled=trend_following', 'strategy.trend_following.fast=3', 'strategy.trend_following.slow=8', 'strategy.trend_following.adx_min=5', 'strategy.trend_following.atr_stop=0.5'];
const FAST_MA = ['strategies.enabled=simple_ma', 'strategy.simple_ma.fast=2', 'strategy.simple_ma.slow=4'];
const SYMBOLS = 'market.symbols=BTC/USDT:USDT,ETH/USDT:USDT';

describe('orders on a Bybit account (the fake exchange)', () => {
  let server: FakeBybitServer;
  const cli = new ExchangeRuns(() => server);
  const run = cli.run.bind(cli);
  const space = cli.space.bind(cli);
  const expectFillsEqualExecutions = cli.expectFillsEqualExecutions.bind(cli);
  const expectBookEqualsExchange = cli.expectBookEqualsExchange.bind(cli);

  beforeAll(async () => {
    server = await startExchangeFake({ symbols: ['BTCUSDT', 'ETHUSDT'], accounts: Object.values(KEYS).map((k) => ({ ...k, demo: true })), speed: 240 });
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

  it('trades spot on the demo account: a buy books the coin received net of its fee, to the lot, and book and wallet agree after a restart', async () => {
    const ws = space(KEYS.spot, ['exchange.market=spot', 'market.symbols=BTC/USDT', ...FAST_MA]);
    const first = await run(ws, ['--max-candles', '12']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('forward on Bybit demo trading, account demo (spot)');
    const second = await run(ws, ['--max-candles', '3']);
    expect(second.code, second.stderr).toBe(0);
    const view = server.account(KEYS.spot.apiKey)!;
    const fills = new Map(accountFills(ws.stateDb, 'demo').map((f) => [f.id, f] as const));
    expect(view.executions.length).toBeGreaterThanOrEqual(2);
    expect([...fills.keys()].sort()).toEqual(view.executions.map((x) => x.execId).sort());
    const STEP = 1e-6; // the fake's basePrecision for BTCUSDT
    for (const x of view.executions) {
      const f = fills.get(x.execId)!;
      expect({ side: f.side, price: f.price }).toEqual({ side: x.side.toLowerCase(), price: x.execPrice });
      if (x.feeCurrency === 'BTC') {
        // Bybit charges a spot buy's fee in the coin: the book holds what the wallet received, to the lot.
        expect(f.qty).toBeCloseTo(Math.floor((x.execQty - x.execFee) / STEP + 1e-9) * STEP, 12);
        expect(f.qty * f.price + f.fee).toBeCloseTo(x.execValue, 9);
      } else expect({ qty: f.qty, fee: f.fee }).toEqual({ qty: x.execQty, fee: x.execFee });
    }
    expect(view.executions.some((x) => x.side === 'Buy' && x.feeCurrency === 'BTC')).toBe(true);
    const book = accountBook(ws.stateDb, 'demo');
    expect(book.cash).toBeCloseTo(view.balances['USDT']!, 6);
    // What the wallet holds beyond the book is the unsellable dust of fees paid in the coin.
    const dust = (view.balances['BTC'] ?? 0) - book.positions.reduce((a, p) => a + p.qty, 0);
    expect(dust).toBeGreaterThanOrEqual(-1e-12);
    expect(dust).toBeLessThan(STEP * (view.executions.length + 1));
  }, 120_000);

  it('never lets an API key or secret reach a log, the state database, results, stdout or stderr', () => {
    cli.expectNoSecrets(Object.values(KEYS), 6);
  });
});
