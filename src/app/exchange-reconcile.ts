/**
 * Reconciliation of an exchange-backed account (live, forward with bybit_demo / bybit_testnet).
 *
 * At every start and resume, before the first decision:
 *   1. orders whose outcome is unknown (queued or being sent when the last process stopped) are
 *      looked up by orderLinkId: found → adopted, absent → sent (or dropped when stale);
 *   2. every execution since the last one the state knows is read over REST; those of our orders
 *      not booked yet are booked now, once each (by execution id);
 *   3. positions, wallet and open orders are read and compared with the book
 *      (src/execution/bybit/reconcile.ts): the book adopts the exchange's positions where it holds
 *      less and the exchange's cash; our stale orders are cancelled, missing protective orders
 *      placed again; what the daemon did not place is reported and left alone, or stops the start
 *      (`live.on_foreign_position = stop`, CT_ERR_FOREIGN_POSITION, exit 3);
 *   4. all of it is committed in one transaction with the account state, each difference recorded
 *      in `reconciliation_events` and printed as a readable diff.
 *
 * While running, every `live.reconcile_interval_s`, the same comparison runs when no order is in
 * flight; any difference is logged as CT_ERR_RECONCILE_DRIFT and recorded, nothing is adopted.
 */
import { CtError } from '../core/errors.ts';
import type { Fill } from '../domain/order.ts';
import type { ReconciliationItem } from '../domain/reconciliation.ts';
import { settleExecutionNotes } from '../engine/candle-loop.ts';
import type { BybitExecution } from '../execution/bybit/bybit-execution.ts';
import { compareWithExchange, type Comparison, type ExchangeReading } from '../execution/bybit/reconcile.ts';
import type { Logger } from '../observability/logger.ts';
import { AccountingWriter } from '../persistence/accounting-writer.ts';
import type { ReconciliationEventWriter } from '../persistence/reconciliation-events.ts';
import type { StateDb } from '../persistence/state-db.ts';
import type { BybitPrivateApi, ExchangeExecution, InstrumentRules } from '../venues/bybit/private-types.ts';
import type { ResumableAccount } from './account.ts';

export interface ReconcileContext {
  readonly api: BybitPrivateApi;
  readonly adapter: BybitExecution;
  readonly account: ResumableAccount;
  readonly market: 'spot' | 'linear';
  readonly symbols: readonly string[];
  readonly rules: ReadonlyMap<string, InstrumentRules>;
  readonly events: ReconciliationEventWriter;
  readonly log: Logger;
  /** Writes the readable diff for the operator (stdout). */
  readonly say: (text: string) => void;
  /** What the start reconciliation is called in its diff: "account demo on Bybit demo trading". */
  readonly label: string;
  readonly onForeign: 'ignore' | 'stop';
}

async function readExchange(c: ReconcileContext): Promise<ExchangeReading> {
  const [positions, wallet, openOrders] = await Promise.all([c.api.positions(c.market, c.symbols), c.api.wallet(), c.api.openOrders(c.market, c.symbols)]);
  return { positions, wallet, openOrders };
}

/**
 * The book (the adapter's positions and orders, the portfolio's cash) against one reading of the
 * exchange; what it finds the daemon did not open is handed to the adapter, which sends exits
 * reduce-only only where Bybit's net position, that included, allows it.
 */
function compare(c: ReconcileContext, ex: ExchangeReading, phase: ReconciliationItem['phase']): Comparison {
  const { adapter, account } = c;
  const cmp = compareWithExchange(
    { market: c.market, symbols: c.symbols, rules: c.rules, positions: adapter.bookPositions(), cash: account.portfolio.cash, protective: adapter.protectiveOpen(), orderOf: (l) => adapter.orderOf(l) },
    ex, phase, (s) => account.portfolio.lastPrice(s),
  );
  for (const s of c.symbols) adapter.setForeign(s, cmp.foreign.find((f) => f.symbol === s)?.qty ?? 0);
  return cmp;
}

function foreignExecutionItems(c: ReconcileContext, execs: readonly ExchangeExecution[], phase: ReconciliationItem['phase']): ReconciliationItem[] {
  return execs
    .filter((x) => c.symbols.includes(x.symbol))
    .map((x) => ({
      phase, kind: 'foreign_execution' as const, symbol: x.symbol, book: undefined, exchange: x.qty, action: 'ignored' as const,
      message: `${x.symbol}: execution ${x.execId} (${x.execType} ${x.side} ${x.qty} @ ${x.price}${x.orderLinkId === '' ? '' : `, order ${x.orderLinkId}`}) was not of an order this daemon placed; not booked`,
    }));
}

/** The start's reconciliation (above). Returns the differences found; throws CT_ERR_FOREIGN_POSITION when told to stop on one. */
export async function reconcileAtStart(c: ReconcileContext, db: StateDb, runId: string): Promise<ReconciliationItem[]> {
  const { adapter, account } = c;
  const { portfolio, gate, loop } = account;
  const items: ReconciliationItem[] = [];
  // 1-2. Unknown outcomes first, then every execution since the state's REST cursor.
  await adapter.settle({ streamUp: false, force: true });
  const { sink, book } = outsideStep(account, db, runId);
  const missed = adapter.takeBuffered();
  for (const f of missed) {
    book(f);
    items.push({ phase: 'start', kind: 'missed_execution', symbol: f.symbol, book: undefined, exchange: f.qty, action: 'booked',
      message: `${f.symbol}: execution ${f.id} of ${f.orderId} (${f.strategyId} ${f.side} ${f.qty} @ ${f.price}, fee ${f.fee}) happened while the daemon was not there to book it; booked` });
  }
  items.push(...foreignExecutionItems(c, adapter.drainForeignExecutions(), 'start'));

  // 3. The exchange's positions, cash and open orders against the book.
  const ex = await readExchange(c);
  const cmp = compare(c, ex, 'start');
  items.push(...cmp.items);
  if (cmp.foreign.length > 0 && c.onForeign === 'stop') {
    const stopped = items.map((i) => (i.kind === 'foreign_position' ? { ...i, action: 'stopped' as const } : i));
    c.events.record(stopped);
    c.say(diffText(c.label, stopped, portfolio.cash));
    throw new CtError('CT_ERR_FOREIGN_POSITION',
      `${c.label}: the exchange holds ${cmp.foreign.map((f) => `${f.qty} ${f.symbol}`).join(', ')} that this daemon did not open, and live.on_foreign_position = stop; close or move it, or set live.on_foreign_position = ignore (the diff is above)`,
      { details: { foreign: cmp.foreign } });
  }
  const now = Date.now();
  let seq = 0;
  for (const r of cmp.reductions) {
    if (!(r.qty > 0)) continue;
    const price = Number.isFinite(r.price) ? r.price : portfolio.position(r.strategyId, r.symbol).avgPrice;
    adapter.adoptReduction(r.symbol, r.strategyId, r.qty, price, now, seq++);
  }
  for (const f of adapter.takeBuffered()) book(f);
  if (cmp.cash?.differs === true) portfolio.adoptCash(cmp.cash.exchange);
  for (const o of cmp.staleOrders) {
    try {
      await c.api.cancelOrder(c.market, o.symbol, o.orderLinkId);
    } catch (e) {
      c.log.warn({ orderLinkId: o.orderLinkId, error: (e as Error).message }, `stale order ${o.orderLinkId} could not be cancelled: ${(e as Error).message}`);
    }
  }
  for (const o of cmp.missingProtective) {
    adapter.protectionMissing(o.linkId);
    items.push({ phase: 'start', kind: 'order_missing', symbol: o.symbol, book: o.qty, exchange: undefined, action: 'replaced',
      message: `${o.symbol}: the ${o.role === 's' ? 'stop-loss' : 'take-profit'} of ${o.strategyId} at ${o.trigger?.price} (${o.linkId}) is not on the exchange; placed again` });
  }
  // 4. One commit: the fills booked, the notes (stale orders dropped), the adopted state.
  settleExecutionNotes(adapter, gate, sink);
  if (loop.lastTs !== undefined) sink.stepDone(loop.lastTs);
  else sink.flush();
  c.events.record(items);
  c.say(diffText(c.label, items, portfolio.cash));
  for (const i of items) (i.kind.startsWith('foreign') ? c.log.warn : c.log.info).call(c.log, { reconciliation: i.kind, symbol: i.symbol, book: i.book, exchange: i.exchange, action: i.action }, `reconciliation: ${i.message}`);
  // Protective orders to place again (and a resumed position's) go out now, after the commit.
  await adapter.sendQueued();
  return items;
}

/**
 * Books fills outside a step (the start's reconciliation, the end of a run) exactly as the loop
 * does: portfolio, risk reservation, the rows; committed with the account state by the caller.
 */
function outsideStep(account: ResumableAccount, db: StateDb, runId: string): { sink: AccountingWriter; book: (f: Fill) => void } {
  const { portfolio, gate, loop } = account;
  const sink = new AccountingWriter(db, runId, 'durable', undefined, account.accounting);
  const book = (f: Fill): void => {
    for (const t of portfolio.applyFill(f, { stop: loop.stopOf.get(f.orderId) })) sink.trade(t);
    gate.onOrderFilled(f.orderId);
    sink.fill(f);
    const p = portfolio.position(f.strategyId, f.symbol);
    sink.position(f.strategyId, f.symbol, p.qty, p.avgPrice, f.ts);
  };
  return { sink, book };
}

/**
 * The end of a run: the executions of the orders its last step sent are read (waiting up to
 * `waitMs` for them) and booked with the account state, so the run's report holds them. What is
 * still unknown then is booked by the next start's reconciliation.
 */
export async function settleAtEnd(c: ReconcileContext, db: StateDb, runId: string, waitMs: number): Promise<number> {
  const { adapter, account } = c;
  const end = Date.now() + waitMs;
  for (;;) {
    await adapter.settle({ streamUp: false, force: true });
    if (adapter.inFlight() === 0 || Date.now() >= end) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const fills = adapter.takeBuffered();
  if (fills.length === 0) return 0;
  const { sink, book } = outsideStep(account, db, runId);
  for (const f of fills) book(f);
  settleExecutionNotes(adapter, account.gate, sink);
  if (account.loop.lastTs !== undefined) sink.stepDone(account.loop.lastTs);
  else sink.flush();
  c.log.info({ fills: fills.length }, `end of run: ${fills.length} execution${fills.length === 1 ? '' : 's'} of the last orders booked`);
  return fills.length;
}

/** One periodic comparison; skipped (undefined) while orders are in flight or fills wait for the loop. */
export async function reconcileNow(c: ReconcileContext): Promise<ReconciliationItem[] | undefined> {
  const { adapter, account } = c;
  if (adapter.inFlight() > 0 || adapter.bufferedFills() > 0) return undefined;
  const ex = await readExchange(c);
  // Executions the stream may have lost: new ones change the book, so compare next time.
  await adapter.poll();
  if (adapter.bufferedFills() > 0 || adapter.inFlight() > 0) return undefined;
  const cmp = compare(c, ex, 'periodic');
  const items = [...foreignExecutionItems(c, adapter.drainForeignExecutions(), 'periodic'), ...cmp.items];
  for (const o of cmp.missingProtective) {
    items.push({ phase: 'periodic', kind: 'order_missing', symbol: o.symbol, book: o.qty, exchange: undefined, action: 'reported',
      message: `${o.symbol}: the ${o.role === 's' ? 'stop-loss' : 'take-profit'} of ${o.strategyId} at ${o.trigger?.price} (${o.linkId}) is not open on the exchange` });
  }
  const drift = items.filter((i) => i.kind !== 'foreign_order' && i.kind !== 'foreign_execution' && i.kind !== 'foreign_position');
  c.events.record(items);
  for (const i of drift) c.log.error({ code: 'CT_ERR_RECONCILE_DRIFT', reconciliation: i.kind, symbol: i.symbol, book: i.book, exchange: i.exchange }, `RECONCILIATION DRIFT: ${i.message}`);
  for (const i of items) if (!drift.includes(i)) c.log.warn({ reconciliation: i.kind, symbol: i.symbol }, `reconciliation: ${i.message}`);
  return items;
}

/**
 * Runs `reconcileNow` every `intervalMs` until stopped. A failed reading (network) is a warning;
 * the next interval tries again.
 */
export function startPeriodicReconcile(c: ReconcileContext, intervalMs: number): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcileNow(c)
      .catch((e: unknown) => c.log.warn({ error: (e as Error).message }, `reconciliation skipped: ${(e as Error).message}`))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

const MARK: Readonly<Record<ReconciliationItem['action'], string>> = { booked: '+', adopted: '~', replaced: '~', cancelled: '-', ignored: '!', reported: '!', stopped: 'X' };

/** The readable diff of a start's reconciliation. */
export function diffText(label: string, items: readonly ReconciliationItem[], cash: number): string {
  if (items.length === 0) return `reconciliation (${label}): the book matches the exchange (cash ${cash.toFixed(2)})`;
  const lines = items.map((i) => `  ${MARK[i.action]} ${i.kind.padEnd(17)} ${i.message}`);
  return [`reconciliation (${label}): ${items.length} difference${items.length === 1 ? '' : 's'}`, ...lines].join('\n');
}
