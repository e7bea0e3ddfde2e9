import { afterEach, describe, expect, it } from 'vitest';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { BybitExecution, type ExecLogger } from '../../../src/execution/bybit/bybit-execution.ts';
import { createPrivateApi } from '../../../src/venues/bybit/private-api.ts';
import type { BybitPrivateApi, InstrumentRules } from '../../../src/venues/bybit/private-types.ts';
import { SILENT_LOGGER } from '../../../src/venues/bybit/retry.ts';
import { releasesReservation } from '../../../src/domain/execution-note.ts';
import type { Candle, CandleColumns } from '../../../src/domain/candle.ts';
import type { Fill, OrderIntent } from '../../../src/domain/order.ts';
import type { MarketType } from '../../../src/domain/instrument.ts';
import { parseState, stringifyState } from '../../../src/core/state-json.ts';

/**
 * The Bybit execution adapter's own rules, driven as the candle loop drives it (submit in the
 * step, sendQueued after the commit, settle before the next step, onCandle hands the fills), with
 * the real private API against the fake exchange's matching engine. The fake's clock is the
 * adapter's clock (the exchange's, as in the daemon); requests are signed with the wall clock.
 */

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const KEY = 'KEYadapt0a1b2c3d4e';
const SECRET = 'SECadapt9f8e7d6c5b4a3';
const RETRY = { attempts: 3, baseMs: 10, capMs: 50 };
const LIN = 'BTC/USDT:USDT';
const SPOT = 'BTC/USDT';

/** Hourly candles: open = close = price(i), high = close + 10, low = low(i) ?? close - 10. */
function hourly(n: number, price: (i: number) => number, low?: (i: number) => number | undefined): CandleColumns {
  const c = { length: n, ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const p = price(i);
    c.ts[i] = T0 + i * H; c.open[i] = p; c.close[i] = p; c.high[i] = p + 10; c.low[i] = low?.(i) ?? p - 10; c.volume[i] = 1;
  }
  return c;
}

function candleAt(i: number, price: number): Candle {
  return { ts: T0 + i * H, open: price, high: price + 10, low: price - 10, close: price, volume: 1 };
}

interface Rig {
  server: FakeBybitServer;
  api: BybitPrivateApi;
  rules: ReadonlyMap<string, InstrumentRules>;
  warnings: string[];
  adapter: (epoch?: string) => BybitExecution;
}

const servers: FakeBybitServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A fresh fake exchange with one account, its clock at hour `hour` + 30 min, serving `cols` for BTCUSDT. */
async function rig(market: MarketType, cols: CandleColumns, balances: Record<string, number>, hour = 8): Promise<Rig> {
  const server = await startFakeBybit({ now: T0 + hour * H + H / 2, accounts: [{ apiKey: KEY, secret: SECRET, balances }] });
  servers.push(server);
  server.addCandles(market, 'BTCUSDT', H, cols);
  const api = createPrivateApi({ restUrl: server.restUrl, apiKey: KEY, secret: SECRET, timeoutMs: 5000, retry: RETRY, logger: SILENT_LOGGER, maxClockSkewMs: 0 });
  await api.checkClock();
  const symbol = market === 'linear' ? LIN : SPOT;
  const rules = await api.instruments(market, [symbol]);
  const warnings: string[] = [];
  const logger: ExecLogger = { info() {}, warn: (_o, m) => void warnings.push(m), error: (_o, m) => void warnings.push(m) };
  return {
    server, api, rules, warnings,
    adapter: (epoch = 'run-epoch-1') => new BybitExecution({ api, market, rules, epoch, logger, now: () => server.now(), staleAfterMs: 2 * H }),
  };
}

function intent(id: string, symbol: string, side: 'buy' | 'sell', qty: number, decidedTs: number, extra: Partial<OrderIntent> = {}): OrderIntent {
  return { id: `${id}:o1`, signalId: id, strategyId: 's1', symbol, side, qty, type: 'market', decidedTs, reduceOnly: false, ...extra };
}

/** One loop step's exchange part for a decision on `decision`: submit, commit (not modelled), send. */
async function decide(a: BybitExecution, order: OrderIntent, decision: Candle): Promise<void> {
  expect(a.submit(order, { candle: decision })).toEqual([]);
  await a.sendQueued();
}

/** Before the next step: settle over REST, then the step's fills from onCandle. */
async function nextStep(a: BybitExecution, symbol: string, candle: Candle): Promise<Fill[]> {
  await a.settle({ streamUp: false, force: true });
  return a.onCandle(symbol, candle).fills;
}

function createsOf(server: FakeBybitServer, linkId: string): number {
  return server.requestsTo('/v5/order/create').filter((r) => r.body !== undefined && (JSON.parse(r.body) as { orderLinkId?: string }).orderLinkId === linkId).length;
}

describe('the Bybit execution adapter against the fake exchange', () => {
  it('turns an order the exchange refuses into a rejected note that releases its reservation, and keeps nothing pending', async () => {
    const r = await rig('linear', hourly(48, () => 40000), { USDT: 10_000 });
    const a = r.adapter();
    r.server.faults.next({ kind: 'reject_insufficient_balance' });
    await decide(a, intent('sig-rej', LIN, 'buy', 0.01, T0 + 7 * H), candleAt(7, 40000));
    const notes = a.drainNotes();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ orderId: 'sig-rej:o1', strategyId: 's1', symbol: LIN, kind: 'rejected', requestedQty: 0.01, filledQty: 0 });
    expect(notes[0]!.message).toContain('110007');
    expect(releasesReservation(notes[0]!)).toBe(true);
    expect(a.pendingOrders()).toEqual([]);
    expect(a.inFlight()).toBe(0);
    expect(await nextStep(a, LIN, candleAt(8, 40000))).toEqual([]);
    // Nothing on the exchange, and nothing sent again by a later step.
    expect(r.server.account(KEY)!.orders).toEqual([]);
    await a.sendQueued();
    expect(r.server.requestsTo('/v5/order/create')).toHaveLength(1);
  });

  it('places a reduce-only stop and take-profit sized to the position at the tick, replaces the pair when the position grows, and cancels it at flat', async () => {
    const r = await rig('linear', hourly(48, () => 40000), { USDT: 10_000 });
    const a = r.adapter();
    await decide(a, intent('sig-in', LIN, 'buy', 0.01, T0 + 7 * H, { stop: 39000.123, takeProfit: 41000.06 }), candleAt(7, 40000));
    // Nothing protective before the entry's fill is booked.
    expect(r.server.account(KEY)!.orders.filter((o) => o.stopOrderType === 'Stop')).toEqual([]);
    const fills = await nextStep(a, LIN, candleAt(8, 40000));
    expect(fills.map((f) => [f.side, f.qty, f.reason])).toEqual([['buy', 0.01, 'signal']]);
    await a.sendQueued();
    const resting = (): Array<{ link: string; side: string; qty: string; trigger: number; dir: number; reduceOnly: boolean }> =>
      r.server.account(KEY)!.orders.filter((o) => o.status === 'Untriggered')
        .map((o) => ({ link: o.orderLinkId.slice(0, 3), side: o.side, qty: o.qty, trigger: o.triggerPrice, dir: o.triggerDirection, reduceOnly: o.reduceOnly }))
        .sort((x, y) => x.link.localeCompare(y.link));
    expect(resting()).toEqual([
      { link: 'cts', side: 'Sell', qty: '0.01', trigger: 39000.1, dir: 2, reduceOnly: true },
      { link: 'ctt', side: 'Sell', qty: '0.01', trigger: 41000.1, dir: 1, reduceOnly: true },
    ]);
    const firstPair = r.server.account(KEY)!.orders.filter((o) => o.status === 'Untriggered').map((o) => o.orderLinkId);
    expect(a.protectiveOpen().size).toBe(2);

    r.server.advance(H);
    await decide(a, intent('sig-add', LIN, 'buy', 0.02, T0 + 8 * H, { stop: 39500, takeProfit: 42000 }), candleAt(8, 40000));
    expect(await nextStep(a, LIN, candleAt(9, 40000))).toHaveLength(1);
    await a.sendQueued();
    const orders = r.server.account(KEY)!.orders;
    expect(firstPair.map((l) => orders.find((o) => o.orderLinkId === l)!.status)).toEqual(['Deactivated', 'Deactivated']);
    expect(resting()).toEqual([
      { link: 'cts', side: 'Sell', qty: '0.03', trigger: 39500, dir: 2, reduceOnly: true },
      { link: 'ctt', side: 'Sell', qty: '0.03', trigger: 42000, dir: 1, reduceOnly: true },
    ]);
    expect(resting().length).toBe(2);

    r.server.advance(H);
    await decide(a, intent('sig-out', LIN, 'sell', 0.03, T0 + 9 * H, { reduceOnly: true }), candleAt(9, 40000));
    expect((await nextStep(a, LIN, candleAt(10, 40000))).map((f) => [f.side, f.qty])).toEqual([['sell', 0.03]]);
    await a.sendQueued();
    expect(resting()).toEqual([]);
    expect(r.server.account(KEY)!.positions).toEqual([]);
    expect(a.protectiveOpen().size).toBe(0);
    expect(a.bookPositions().map((p) => p.qty)).toEqual([0]);
  });

  it('books a stop the exchange triggered as a stop fill at the execution price and fee, and cancels its take-profit with the next send', async () => {
    // Flat at 40000; hour 10 dips to 38000 (through the stop at 39000).
    const r = await rig('linear', hourly(48, () => 40000, (i) => (i === 10 ? 38000 : undefined)), { USDT: 10_000 });
    const a = r.adapter();
    await decide(a, intent('sig-in', LIN, 'buy', 0.01, T0 + 7 * H, { stop: 39000, takeProfit: 45000 }), candleAt(7, 40000));
    expect(await nextStep(a, LIN, candleAt(8, 40000))).toHaveLength(1);
    await a.sendQueued();
    const tp = r.server.account(KEY)!.orders.find((o) => o.orderLinkId.startsWith('ctt'))!;
    expect(tp.status).toBe('Untriggered');

    // The clock moves past the close of hour 10: the exchange fires the stop while no step runs.
    r.server.setNow(T0 + 11 * H + H / 2);
    const execs = r.server.account(KEY)!.executions;
    expect(execs).toHaveLength(2);
    const stopExec = execs[1]!;
    expect(stopExec.orderLinkId.startsWith('cts')).toBe(true);
    const fills = await nextStep(a, LIN, candleAt(11, 40000));
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ id: stopExec.execId, side: 'sell', qty: 0.01, price: stopExec.execPrice, fee: stopExec.execFee, reason: 'stop', strategyId: 's1', symbol: LIN });
    expect(stopExec.execPrice).toBe(39000);
    expect(fills[0]!.fee).toBeCloseTo(0.39, 9);
    expect(r.server.account(KEY)!.positions).toEqual([]);
    expect(r.server.account(KEY)!.orders.find((o) => o.orderLinkId === tp.orderLinkId)!.status).toBe('Untriggered');
    await a.sendQueued();
    expect(r.server.account(KEY)!.orders.find((o) => o.orderLinkId === tp.orderLinkId)!.status).toBe('Deactivated');
    expect(r.server.account(KEY)!.orders.filter((o) => o.status === 'Untriggered')).toEqual([]);
    expect(a.protectiveOpen().size).toBe(0);
  });

  it('books a spot buy whose fee is in the coin as the net quantity and the fee\'s USDT value, so selling the booked quantity leaves no coin', async () => {
    const r = await rig('spot', hourly(48, () => 40000), { USDT: 10_000, BTC: 0 });
    const a = r.adapter();
    let cash = 10_000;
    let coin = 0;
    await decide(a, intent('sig-buy', SPOT, 'buy', 0.01, T0 + 7 * H), candleAt(7, 40000));
    const [buy] = await nextStep(a, SPOT, candleAt(8, 40000));
    const buyExec = r.server.account(KEY)!.executions[0]!;
    expect(buyExec.feeCurrency).toBe('BTC');
    expect(buy).toMatchObject({ id: buyExec.execId, side: 'buy', price: 40000, reason: 'signal' });
    expect(buy!.qty).toBeCloseTo(0.01 - buyExec.execFee, 12);
    expect(buy!.fee).toBeCloseTo(buyExec.execFee * 40000, 9);
    // Cash moves by exactly the execution's value; the coin by what the wallet received.
    cash -= buy!.qty * buy!.price + buy!.fee;
    coin += buy!.qty;
    expect(cash).toBeCloseTo(10_000 - buyExec.execValue, 9);
    expect(coin).toBeCloseTo(r.server.account(KEY)!.balances['BTC']!, 12);

    r.server.advance(H);
    await decide(a, intent('sig-sell', SPOT, 'sell', buy!.qty, T0 + 8 * H, { reduceOnly: true }), candleAt(8, 40000));
    expect(a.drainNotes()).toEqual([]);
    const [sell] = await nextStep(a, SPOT, candleAt(9, 40000));
    const sellExec = r.server.account(KEY)!.executions[1]!;
    expect(sellExec.feeCurrency).toBe('USDT');
    expect(sell).toMatchObject({ id: sellExec.execId, side: 'sell', qty: sellExec.execQty, price: 40000, fee: sellExec.execFee });
    cash += sell!.qty * sell!.price - sell!.fee;
    coin -= sell!.qty;
    const wallet = r.server.account(KEY)!.balances;
    expect(wallet['BTC']).toBe(0);
    expect(coin).toBeCloseTo(0, 12);
    expect(cash).toBeCloseTo(wallet['USDT']!, 9);
  });

  it('protects a spot holding with conditional sells of the booked coin (StopOrder), books the stop that fires, and cancels the take-profit', async () => {
    const r = await rig('spot', hourly(48, () => 40000, (i) => (i === 10 ? 38000 : undefined)), { USDT: 10_000, BTC: 0 });
    const a = r.adapter();
    await decide(a, intent('sig-buy', SPOT, 'buy', 0.01, T0 + 7 * H, { stop: 39000.004, takeProfit: 45000 }), candleAt(7, 40000));
    const [buy] = await nextStep(a, SPOT, candleAt(8, 40000));
    await a.sendQueued();
    const resting = r.server.account(KEY)!.orders.filter((o) => o.status === 'Untriggered');
    expect(resting.map((o) => [o.orderLinkId.slice(0, 3), o.side, Number(o.qty), o.triggerPrice]).sort()).toEqual([['cts', 'Sell', buy!.qty, 39000], ['ctt', 'Sell', buy!.qty, 45000]]);
    r.server.setNow(T0 + 11 * H + H / 2);
    const [stop] = await nextStep(a, SPOT, candleAt(11, 40000));
    const exec = r.server.account(KEY)!.executions[1]!;
    expect(stop).toMatchObject({ id: exec.execId, reason: 'stop', side: 'sell', qty: buy!.qty, price: 39000, fee: exec.execFee });
    expect(r.server.account(KEY)!.balances['BTC']).toBe(0);
    await a.sendQueued();
    expect(r.server.account(KEY)!.orders.filter((o) => o.status === 'Untriggered')).toEqual([]);
    expect(r.server.account(KEY)!.orders.find((o) => o.orderLinkId.startsWith('ctt'))!.status).toBe('Deactivated');
  });

  it('reads executions over REST with the stream up only when one is owed: a sent market order without its fill, or an order update reporting more executed than booked', async () => {
    const r = await rig('linear', hourly(48, () => 40000, (i) => (i === 10 ? 38000 : undefined)), { USDT: 10_000 });
    const a = r.adapter();
    const polls = (): number => r.server.requestsTo('/v5/execution/list').length;
    await decide(a, intent('sig-in', LIN, 'buy', 0.01, T0 + 7 * H, { stop: 39000 }), candleAt(7, 40000));
    // The stream is up but its execution message never came: the open market order owes one.
    await a.settle({ streamUp: true });
    expect(polls()).toBe(1);
    expect(a.onCandle(LIN, candleAt(8, 40000)).fills).toHaveLength(1);
    await a.sendQueued();
    // Nothing owed: no REST read.
    await a.settle({ streamUp: true });
    expect(polls()).toBe(1);
    // The stop fires; the stream's order update arrives, its execution message does not.
    r.server.setNow(T0 + 11 * H + H / 2);
    const stopLink = r.server.account(KEY)!.orders.find((o) => o.orderLinkId.startsWith('cts'))!.orderLinkId;
    await a.settle({ streamUp: true });
    expect(polls(), 'no update yet: the stream is trusted').toBe(1);
    a.onOrderUpdate((await r.api.findOrder('linear', LIN, stopLink))!);
    await a.settle({ streamUp: true });
    expect(polls()).toBe(2);
    expect(a.onCandle(LIN, candleAt(11, 40000)).fills.map((f) => [f.reason, f.qty])).toEqual([['stop', 0.01]]);
    // Stream down: every settle reads REST.
    await a.settle({ streamUp: false });
    expect(polls()).toBe(3);
  });

  it('books the exchange\'s funding settlement once, shared by the strategies in proportion to their positions', async () => {
    // The fake exchange settles no funding (execution/list lists Trade only), so the settlement is
    // handed to the adapter as the private API would deliver it.
    const r = await rig('linear', hourly(48, () => 40000), { USDT: 10_000 });
    const a = r.adapter();
    a.submit(intent('sig-a', LIN, 'buy', 0.01, T0 + 7 * H), { candle: candleAt(7, 40000) });
    a.submit({ ...intent('sig-b', LIN, 'buy', 0.03, T0 + 7 * H), strategyId: 's2' }, { candle: candleAt(7, 40000) });
    await a.sendQueued();
    expect(await nextStep(a, LIN, candleAt(8, 40000))).toHaveLength(2);
    const funding = { market: 'linear' as const, symbol: LIN, execId: 'funding-1', orderId: '', orderLinkId: '', side: 'Sell' as const, qty: 0.04, price: 40000, value: 1600, fee: 0.16, feeCurrency: 'USDT', execTime: T0 + 8 * H, execType: 'Funding', stopOrderType: '' };
    expect(a.ingest([funding])).toBe(0);
    a.ingest([funding]);
    const out = a.onCandle(LIN, candleAt(9, 40000));
    expect(out.fills).toEqual([]);
    expect(out.funding).toHaveLength(1);
    expect(out.funding[0]).toMatchObject({ ts: T0 + 8 * H, symbol: LIN, markPrice: 40000, source: 'exchange' });
    expect(out.funding[0]!.rate).toBeCloseTo(0.0001, 12);
    expect(out.funding[0]!.payments.map((p) => [p.strategyId, p.qty, Number(p.amount.toFixed(9))]).sort()).toEqual([['s1', 0.01, 0.04], ['s2', 0.03, 0.12]]);
    expect(a.onCandle(LIN, candleAt(10, 40000)).funding).toEqual([]);
    // After a restart the same settlement is not booked again (the handed tail carries its id).
    const b = r.adapter();
    b.restore(parseState(stringifyState(a.snapshot()), 'test'));
    b.ingest([funding]);
    expect(b.onCandle(LIN, candleAt(10, 40000)).funding).toEqual([]);
  });
});

/** The adapter's state as a step commits it (the account snapshot's JSON) and the next process reads it. */
function committed(a: BybitExecution): Record<string, unknown> {
  return parseState(stringifyState(a.snapshot()), 'test') as Record<string, unknown>;
}

describe('the Bybit execution adapter across a restart', () => {
  it('sends a committed order that never went out when its decision is fresh, and drops a stale one with a cancelled note without sending it', async () => {
    const r = await rig('linear', hourly(48, () => 40000), { USDT: 10_000 });
    const a = r.adapter();
    a.submit(intent('sig-fresh', LIN, 'buy', 0.01, T0 + 7 * H), { candle: candleAt(7, 40000) });
    // Decided on the candle of 05:00 while the clock is at 08:30: older than staleAfterMs (2 h).
    a.submit(intent('sig-old', LIN, 'buy', 0.02, T0 + 5 * H), { candle: candleAt(5, 40000) });
    const state = committed(a);
    const [fresh, old] = (state['orders'] as Array<{ linkId: string; orderId: string }>).sort((x, y) => (x.orderId < y.orderId ? -1 : 1));
    expect([fresh!.orderId, old!.orderId]).toEqual(['sig-fresh:o1', 'sig-old:o1']);
    // The process stops after the commit, before sendQueued.
    const b = r.adapter();
    b.restore(state);
    expect(b.pendingOrders().map((o) => o.id).sort()).toEqual(['sig-fresh:o1', 'sig-old:o1']);
    const fills = await nextStep(b, LIN, candleAt(8, 40000));
    expect(fills.map((f) => [f.orderId, f.qty])).toEqual([['sig-fresh:o1', 0.01]]);
    expect(createsOf(r.server, fresh!.linkId)).toBe(1);
    expect(createsOf(r.server, old!.linkId)).toBe(0);
    const notes = b.drainNotes();
    expect(notes.map((n) => [n.orderId, n.kind])).toEqual([['sig-old:o1', 'cancelled']]);
    expect(releasesReservation(notes[0]!)).toBe(true);
    expect(b.pendingOrders()).toEqual([]);
    await b.sendQueued();
    await b.settle({ streamUp: false, force: true });
    expect(createsOf(r.server, old!.linkId)).toBe(0);
    expect(r.server.account(KEY)!.orders.map((o) => o.orderLinkId)).toEqual([fresh!.linkId]);
  });

  it('finds an order sent before a restart whose reply was lost by its orderLinkId, books its fill, and never sends it again', async () => {
    const r = await rig('linear', hourly(48, () => 40000), { USDT: 10_000 });
    const a = r.adapter();
    a.submit(intent('sig-lost', LIN, 'buy', 0.01, T0 + 7 * H), { candle: candleAt(7, 40000) });
    const state = committed(a);
    const link = (state['orders'] as Array<{ linkId: string }>)[0]!.linkId;
    r.server.faults.next({ kind: 'reply_lost_after_accept' });
    await a.sendQueued();
    expect(r.server.faults.applied['reply_lost_after_accept']).toBe(1);
    expect(createsOf(r.server, link)).toBe(1);
    // The process dies here: the committed state still has the order queued.
    const b = r.adapter();
    b.restore(state);
    const fills = await nextStep(b, LIN, candleAt(8, 40000));
    const exec = r.server.account(KEY)!.executions[0]!;
    expect(fills.map((f) => [f.id, f.orderId, f.qty, f.price, f.fee])).toEqual([[exec.execId, 'sig-lost:o1', 0.01, exec.execPrice, exec.execFee]]);
    await b.sendQueued();
    await b.settle({ streamUp: false, force: true });
    expect(createsOf(r.server, link), 'one create request for the orderLinkId').toBe(1);
    expect(r.server.account(KEY)!.orders).toHaveLength(1);
    expect(b.inFlight()).toBe(0);
    expect(b.drainNotes()).toEqual([]);
  });

  it('finds an order whose reply was lost in the same process by its orderLinkId before sending anything again', async () => {
    const r = await rig('linear', hourly(48, () => 40000), { USDT: 10_000 });
    const a = r.adapter();
    r.server.faults.next({ kind: 'reply_lost_after_accept' });
    await decide(a, intent('sig-lost2', LIN, 'buy', 0.01, T0 + 7 * H, { stop: 39000 }), candleAt(7, 40000));
    const link = [...r.server.account(KEY)!.orders][0]!.orderLinkId;
    expect(createsOf(r.server, link)).toBe(1);
    expect(r.warnings.some((w) => w.includes(`no answer to the order for ${link}`))).toBe(true);
    expect(await nextStep(a, LIN, candleAt(8, 40000))).toHaveLength(1);
    await a.sendQueued();
    expect(createsOf(r.server, link)).toBe(1);
    expect(r.server.requestsTo('/v5/order/create').filter((q) => q.body?.includes('"orderLinkId":"cte'))).toHaveLength(1);
    expect(a.drainNotes()).toEqual([]);
  });

  it('books an execution once when the stream and REST both deliver it, and again none after a restart (saved ids, or the fills table\'s through markBooked)', async () => {
    const r = await rig('linear', hourly(48, () => 40000), { USDT: 10_000 });
    const a = r.adapter();
    await decide(a, intent('sig-once', LIN, 'buy', 0.01, T0 + 7 * H), candleAt(7, 40000));
    const execs = await r.api.executions('linear', T0);
    expect(execs).toHaveLength(1);
    expect(a.ingest(execs), 'the stream delivers it').toBe(1);
    expect(a.ingest(execs), 'the stream delivers it again').toBe(0);
    await a.settle({ streamUp: false, force: true }); // REST lists it too
    const fills = a.onCandle(LIN, candleAt(8, 40000)).fills;
    expect(fills.map((f) => f.id)).toEqual([execs[0]!.execId]);
    expect(a.bookPositions().map((p) => p.qty)).toEqual([0.01]);
    const state = committed(a);

    const b = r.adapter();
    b.restore(state);
    expect(b.ingest(execs)).toBe(0);
    expect(await nextStep(b, LIN, candleAt(9, 40000))).toEqual([]);
    expect(b.bookPositions().map((p) => p.qty)).toEqual([0.01]);

    // The saved tail of handed ids is bounded: an id that fell off it is still known from the fills table.
    const trimmed = { ...state, handed: [] };
    const unguarded = r.adapter();
    unguarded.restore(trimmed);
    expect(unguarded.ingest(execs), 'without the fills table the execution would be booked again').toBe(1);
    const c = r.adapter();
    c.restore(trimmed);
    c.markBooked(fills.map((f) => f.id));
    expect(c.ingest(execs)).toBe(0);
    expect(await nextStep(c, LIN, candleAt(9, 40000))).toEqual([]);
    expect(c.bookPositions().map((p) => p.qty)).toEqual([0.01]);
  });
});

describe('an order the exchange ends with less executed than asked', () => {
  it('is over once what the exchange executed is booked (from REST or when the order update comes last): nothing stays in flight or pending, a cancelled note says so', async () => {
    const r = await rig('linear', hourly(48, () => 40000), { USDT: 10_000 });
    const a = r.adapter();
    await decide(a, intent('sig-in', LIN, 'buy', 0.02, T0 + 7 * H), candleAt(7, 40000));
    expect(await nextStep(a, LIN, candleAt(8, 40000))).toHaveLength(1);
    r.server.advance(H);
    // s1 flips to short 0.01: a sell of 0.03, committed; the process stops before it is sent.
    a.submit(intent('sig-flip', LIN, 'sell', 0.03, T0 + 8 * H), { candle: candleAt(8, 40000) });
    const state = committed(a);
    const link = (state['orders'] as Array<{ linkId: string; orderId: string }>).find((o) => o.orderId === 'sig-flip:o1')!.linkId;
    // The exchange holds the order executed in part and over (a market order out of liquidity is
    // PartiallyFilledCanceled on Bybit; here a reduce-only clamp makes it): 0.02 of 0.03.
    expect((await r.api.placeOrder({ market: 'linear', symbol: LIN, side: 'Sell', qty: 0.03, orderLinkId: link, reduceOnly: true })).kind).toBe('accepted');
    const onExchange = (await r.api.findOrder('linear', LIN, link))!;
    expect([onExchange.qty, onExchange.cumExecQty]).toEqual([0.03, 0.02]);

    // REST after the restart: lookup (final, 0.02 executed), then the execution.
    const b = r.adapter();
    b.restore(state);
    expect((await nextStep(b, LIN, candleAt(9, 40000))).map((f) => [f.orderId, f.side, f.qty])).toEqual([['sig-flip:o1', 'sell', 0.02]]);
    expect(b.inFlight()).toBe(0);
    expect(b.pendingOrders()).toEqual([]);
    const notes = b.drainNotes();
    expect(notes.map((n) => [n.orderId, n.kind, n.requestedQty, n.filledQty])).toEqual([['sig-flip:o1', 'cancelled', 0.03, 0.02]]);
    await b.sendQueued();
    await b.settle({ streamUp: false, force: true });
    expect(createsOf(r.server, link)).toBe(1);

    // The stream: the execution first, the order's final update after it.
    const c = r.adapter();
    c.restore(state);
    expect(c.ingest(await r.api.executions('linear', T0))).toBe(1);
    expect(c.inFlight()).toBe(1);
    c.onOrderUpdate(onExchange);
    expect(c.inFlight()).toBe(0);
    expect(c.pendingOrders()).toEqual([]);
    expect(c.drainNotes().map((n) => [n.orderId, n.kind, n.filledQty])).toEqual([['sig-flip:o1', 'cancelled', 0.02]]);
  });
});
