import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.ts';
import { orderLinkIdOf } from '../../../src/execution/bybit/order-link-id.ts';
import { runCliProcess } from '../../support/cli-process.ts';
import type { FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { startDaemon, until } from '../../support/forward-daemon.ts';
import { accountBook, accountFills, exchangeWorkspace, setArgs, startExchangeFake, withDb } from '../../support/exchange-runs.ts';

/**
 * A demo-execution account SIGKILLed at 10 random moments (a seeded RNG picks them: while it
 * starts and reconciles, while it trades, and three times between an order's submit and the
 * exchange's acknowledgement), restarted after each: the exchange ends with no order placed twice,
 * every execution is booked exactly once, and the book holds what the exchange holds.
 */

const KEY = { apiKey: 'KEYkill4e6g8i0k2', secret: 'SECkill2w4e6r8t0y1u3i5o7p' };
const KILLS = 10;

describe('a demo-execution account SIGKILLed at 10 random moments', () => {
  let server: FakeBybitServer;
  let ws: ReturnType<typeof exchangeWorkspace>;
  const q = <T>(sql: string, ...p: unknown[]): T[] => withDb(ws.stateDb, (db) => db.prepare(sql).all(...p) as T[]);
  const traded = (): boolean => {
    try {
      return q<{ n: number }>("SELECT COUNT(*) n FROM equity e JOIN runs r ON r.id = e.run_id WHERE r.status = 'running'")[0]!.n > 0;
    } catch {
      return false;
    }
  };
  let betweenSubmitAndAck = 0;
  let whileStarting = 0;
  let whileTrading = 0;

  beforeAll(async () => {
    server = await startExchangeFake({ symbols: ['BTCUSDT', 'ETHUSDT'], accounts: [{ ...KEY, demo: true }], speed: 24, seed: 23 });
    ws = exchangeWorkspace(server, KEY, ['market.symbols=BTC/USDT:USDT,ETH/USDT:USDT', 'strategies.enabled=simple_ma', 'strategy.simple_ma.fast=2', 'strategy.simple_ma.slow=4']);
    const rng = new Rng(20_261_202);
    for (let k = 0; k < KILLS; k++) {
      const d = startDaemon(setArgs(ws.sets), 90_000, ws.env);
      const roll = rng.next();
      if (k % 3 === 1) {
        // Between submit and acknowledgement: the next order is placed at once, its answer held 3 s.
        await until(traded, 60_000, `start ${k + 1} to trade`);
        const creates = server.requestsTo('/v5/order/create').length;
        server.faults.next({ kind: 'reply_delayed_after_accept', count: 1 });
        await until(() => server.requestsTo('/v5/order/create').length > creates, 60_000, `start ${k + 1} to send an order`);
        betweenSubmitAndAck++;
      } else if (roll < 0.35) {
        await new Promise((r) => setTimeout(r, 300 + rng.next() * 3500));
        whileStarting++;
      } else {
        await until(traded, 60_000, `start ${k + 1} to trade`);
        await new Promise((r) => setTimeout(r, rng.next() * 2500));
        whileTrading++;
      }
      d.kill('SIGKILL');
      const exit = await d.exited;
      server.faults.clear();
      expect(exit.signal, `start ${k + 1}: ${exit.stderr}`).toBe('SIGKILL');
    }
    const last = await runCliProcess([...setArgs(ws.sets), '--max-candles', '4'], 90_000, ws.env);
    expect(last.code, last.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  it('was killed while starting, while trading and between submit and acknowledgement', () => {
    expect(betweenSubmitAndAck).toBe(3);
    expect(whileStarting).toBeGreaterThanOrEqual(1);
    expect(whileTrading).toBeGreaterThanOrEqual(2);
    expect(server.faults.applied['reply_delayed_after_accept']).toBe(3);
  });

  it('placed no order twice: every order on the exchange is one decision of the account, and no decision has two', () => {
    const runs = q<{ id: string; status: string }>("SELECT id, status FROM runs WHERE account = 'demo' ORDER BY rowid");
    expect(runs.at(-1)!.status).toBe('completed');
    for (const r of runs.slice(0, -1)) expect(r.status, r.id).toBe('crashed');
    const epoch = runs[0]!.id;
    const decided = q<{ id: string }>("SELECT o.id FROM orders o JOIN runs r ON r.id = o.run_id WHERE r.account = 'demo'").map((o) => o.id);
    expect(new Set(decided).size).toBe(decided.length);
    const linkOf = new Map(decided.map((id) => [orderLinkIdOf(epoch, 'e', id), id] as const));
    const onExchange = server.account(KEY.apiKey)!.orders.filter((o) => o.orderLinkId.startsWith('cte'));
    expect(onExchange.length).toBeGreaterThan(5);
    for (const o of onExchange) expect(linkOf.has(o.orderLinkId), `exchange order ${o.orderLinkId} is a decision of the account`).toBe(true);
    const perDecision = new Map<string, number>();
    for (const o of onExchange) perDecision.set(linkOf.get(o.orderLinkId)!, (perDecision.get(linkOf.get(o.orderLinkId)!) ?? 0) + 1);
    expect([...perDecision.values()].every((n) => n === 1)).toBe(true);
    // Not only did the exchange refuse repeats: the daemon never sent one. A restart asks for the
    // orderLinkId of every order it may have sent before sending anything.
    const sent = server.requestsTo('/v5/order/create').map((r) => (JSON.parse(r.body!) as { orderLinkId: string }).orderLinkId);
    expect(sent.length).toBeGreaterThanOrEqual(onExchange.length);
    expect(new Set(sent).size, 'one create request per orderLinkId').toBe(sent.length);
  });

  it('booked every execution on the exchange exactly once, with its own quantity, price and fee', () => {
    const execs = server.account(KEY.apiKey)!.executions;
    const fills = accountFills(ws.stateDb, 'demo');
    expect(new Set(fills.map((f) => f.id)).size).toBe(fills.length);
    expect(fills.map((f) => f.id).sort()).toEqual(execs.map((x) => x.execId).sort());
    const byId = new Map(fills.map((f) => [f.id, f] as const));
    for (const x of execs) expect([byId.get(x.execId)!.qty, byId.get(x.execId)!.price, byId.get(x.execId)!.fee]).toEqual([x.execQty, x.execPrice, x.execFee]);
  });

  it('holds after the last reconciliation the positions and the cash the exchange holds', () => {
    const view = server.account(KEY.apiKey)!;
    const book = accountBook(ws.stateDb, 'demo');
    expect(book.cash).toBeCloseTo(view.balances['USDT']!, 6);
    for (const sym of ['BTCUSDT', 'ETHUSDT']) {
      const mine = book.positions.filter((p) => p.symbol.replace('/USDT:USDT', 'USDT') === sym).reduce((a, p) => a + p.qty, 0);
      expect(mine, sym).toBeCloseTo(view.positions.find((p) => p.symbol === sym)?.size ?? 0, 9);
    }
  });
});
