/**
 * THE candle loop. Backtest, dry-run, forward and live all run this code; they differ only in the
 * ports plugged in (see ports.ts). Per step (all candles with the same open time):
 *
 *   1. execution fills what was decided on EARLIER candles (at this candle's open), then stops and
 *      take-profits intrabar, and reports funding events inside the candle;
 *   2. fills and funding go to the portfolio and the accounting sink;
 *   3. the portfolio is marked at the close -> one equity row;
 *   4. the strategies' Signals decided on THIS closed candle pass the risk gate, in a deterministic
 *      order; approved orders go to execution and can only fill on a later candle (next_open model).
 *
 * Strategies receive candles in batches (one IPC round trip per batch, not per candle). This is
 * exact, not an approximation: a strategy's decisions depend only on candles and its own past
 * Signals (it never sees account state), so computing its Signals for a whole batch first and then
 * replaying the account step by step gives the same result as lock-step. Strategies that react to
 * fills (`usesFills`) are fed one step per batch by the source.
 *
 * When the source ends (or a stop is requested), the strategies' end of run comes last: Signals
 * they emit in onFinish are recorded and pass the risk gate at the last step's prices like any
 * other, and what is approved goes to execution; then `closeAtEnd` closes what is open.
 *
 * Time: the loop's only time is the step's candle time (ts), in every mode. No clock is read in
 * the decision path: the risk gate's UTC day and cooldown and the portfolio's day-start mark all
 * come from the same step ts, so they cannot disagree, and a live session replays exactly from
 * its recorded candles. Wall time matters only where the loop waits on the world (the live-step
 * grace period, src/app/live-steps.ts), and there the mode's injected clock is read.
 */
import type { Candle } from '../domain/candle.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import type { Trade } from '../domain/trade.ts';
import { releasesReservation } from '../domain/execution-note.ts';
import type { ExecutionAdapter } from '../execution/execution-adapter.ts';
import { EquitySeries } from './equity-series.ts';
import { LoopState } from './loop-state.ts';
import type { AccountingSink, CandleSourcePort, PortfolioPort, RiskGatePort, StrategyHostsPort } from './ports.ts';

export interface LoopDeps {
  readonly source: CandleSourcePort;
  readonly hosts: StrategyHostsPort;
  readonly execution: ExecutionAdapter;
  readonly gate: RiskGatePort;
  readonly portfolio: PortfolioPort;
  readonly sink: AccountingSink;
  /** ATR period the risk gate uses to size signals without a stop. */
  readonly atrPeriod: number;
  /** Close all positions at the last candle when the run ends (backtests: so every trade is counted). */
  readonly closeAtEnd: boolean;
  /** Called after every step (status line, pacing); may return a promise to slow the loop. */
  readonly onStep?: (s: StepStatus) => void | Promise<void>;
  /** Polled before the first batch and between batches; true stops the loop gracefully (Ctrl-C, max_candles). */
  readonly shouldStop?: () => boolean;
  /** The loop's own state to continue from (a resumed forward account); a fresh one when absent. */
  readonly state?: LoopState;
}

export interface StepStatus {
  readonly ts: number;
  readonly steps: number;
  readonly candles: number;
  readonly equity: number;
  readonly lastSignal: Signal | undefined;
  readonly fills: number;
}

export interface LoopResult {
  readonly steps: number;
  readonly candles: number;
  readonly equity: EquitySeries;
  readonly fills: Fill[];
  readonly trades: Trade[];
  readonly signals: number;
  readonly approved: number;
  readonly denied: number;
  readonly firstTs: number | undefined;
  readonly lastTs: number | undefined;
  readonly stoppedEarly: boolean;
}

export async function runCandleLoop(d: LoopDeps): Promise<LoopResult> {
  const { sink, portfolio, gate, execution } = d;
  const symbols = d.source.symbols;
  const state = d.state ?? new LoopState(d.atrPeriod);
  state.addSymbols(symbols);
  const { lastCandle, prices, atr, stopOf } = state;
  const recordCandle = sink.candle;
  const equity = new EquitySeries(d.source.stepCount ?? 1024);
  const fills: Fill[] = [];
  const trades: Trade[] = [];
  let steps = 0, candles = 0, nSignals = 0, approved = 0, denied = 0;
  let firstTs: number | undefined, lastTs: number | undefined, lastSignal: Signal | undefined;
  let stoppedEarly = false;

  const book = (f: Fill): void => {
    for (const t of portfolio.applyFill(f, { stop: stopOf.get(f.orderId) })) {
      trades.push(t);
      sink.trade(t);
    }
    gate.onOrderFilled(f.orderId);
    fills.push(f);
    sink.fill(f);
    const p = portfolio.position(f.strategyId, f.symbol);
    sink.position(f.strategyId, f.symbol, p.qty, p.avgPrice, f.ts);
  };

  const drainNotes = (): void => settleExecutionNotes(execution, gate, sink);
  /** After decisions: execution's notes, then the gate's breaker events, into the accounting. */
  const settleDecisions = (): void => {
    drainNotes();
    for (const e of gate.drainEvents()) sink.riskEvent(e);
  };

  /** One Signal: recorded, through the risk gate at its symbol's last price, approved orders to execution (fills into `out`). */
  const decide = (sig: Signal, out: Fill[]): void => {
    nSignals++;
    lastSignal = sig;
    sink.signal(sig);
    const price = prices.get(sig.symbol);
    const a = atr.get(sig.symbol);
    const decision = gate.evaluate(sig, { price: price ?? NaN, atr: a && a.ready ? a.value : undefined });
    sink.decision(decision);
    if (!decision.approved) {
      denied++;
      return;
    }
    approved++;
    for (const o of decision.orders) {
      stopOf.set(o.id, o.stop);
      sink.order(o);
      const candle = lastCandle.get(o.symbol)!;
      for (const f of execution.submit(o, { candle, atr: a && a.ready ? a.value : undefined })) {
        book(f);
        out.push(f);
      }
    }
  };

  // Pipelining: while the account replays batch k, the strategy hosts already compute batch k+1
  // (another core for process/worker isolation). Exact for the same reason batching is: Signals do
  // not depend on fills. Strategies that use fills get lock-step (no prefetch).
  const it = d.source.batches()[Symbol.asyncIterator]();
  const fetchNext = async (): Promise<{ batch: CandleBatch; signals: Promise<Signal[]> } | undefined> => {
    const n = await it.next();
    if (n.done) return undefined;
    const signals = d.hosts.processBatch(n.value);
    signals.catch(() => undefined); // observed below; avoid an unhandled rejection while prefetched
    return { batch: n.value, signals };
  };
  // A stop requested before the first batch (Ctrl-C while the run was starting) trades nothing.
  let current: Awaited<ReturnType<typeof fetchNext>>;
  if (d.shouldStop?.()) stoppedEarly = true;
  else current = await fetchNext();
  while (current !== undefined) {
    const { batch } = current;
    const signals = await current.signals;
    const next = d.hosts.usesFills ? undefined : fetchNext();
    next?.catch(() => undefined); // a failure surfaces when awaited below, not as an unhandled rejection
    if (next !== undefined && d.hosts.written !== undefined && d.source.stepCount !== undefined) {
      // Let the next batch leave this process before the synchronous replay below: a batch larger
      // than the IPC socket's buffer (8,192 candles are ~460 KB) would otherwise wait in our write
      // queue until the loop next awaits, and a strategy process would start on it only then, with
      // no overlap at all. The wait is the guest reading it (~1 ms); its compute then overlaps.
      // Only for a replay of known length (every batch is in memory): a live source's next batch
      // may be a candle away, and the current one must not wait for it.
      await next.catch(() => undefined);
      await d.hosts.written();
    }
    const batchFills: Fill[] = [];
    let si = 0;
    let i = 0;
    while (i < batch.length) {
      const ts = batch.ts[i]!;
      const stepStart = i;
      // 1-2. fills at this candle (orders from earlier candles), stops/TPs, funding.
      for (; i < batch.length && batch.ts[i] === ts; i++) {
        const symbol = batch.symbols[batch.sym[i]!]!;
        const candle = candleOf(batch, i);
        const r = execution.onCandle(symbol, candle);
        for (const f of r.fills) {
          book(f);
          batchFills.push(f);
        }
        for (const ev of r.funding) {
          for (const pay of ev.payments) {
            portfolio.applyFundingPayment(pay.strategyId, ev.symbol, pay.amount, ev.ts);
            sink.funding(ev.ts, pay.strategyId, ev.symbol, ev.rate, pay.amount, ev.source);
          }
        }
        portfolio.observeCandle(symbol, candle);
        if (recordCandle !== undefined) recordCandle(symbol, candle);
        atr.get(symbol)!.update(candle.high, candle.low, candle.close);
        lastCandle.set(symbol, candle);
        prices.set(symbol, candle.close);
      }
      drainNotes();
      candles += i - stepStart;
      steps++;
      if (firstTs === undefined) firstTs = ts;
      lastTs = ts;
      state.lastTs = ts;
      gate.onStep(ts);
      // 3. mark to market at the close.
      const snap = portfolio.mark(ts, prices);
      equity.push(snap);
      sink.equity(snap);
      // 4. signals decided on this closed candle -> risk gate -> execution.
      while (si < signals.length && signals[si]!.ts < ts) si++; // never happens with a correct host; defensive
      for (; si < signals.length && signals[si]!.ts === ts; si++) decide(signals[si]!, batchFills);
      settleDecisions();
      sink.stepDone(ts);
      if (d.onStep) await d.onStep({ ts, steps, candles, equity: snap.equity, lastSignal, fills: fills.length });
    }
    if (d.hosts.usesFills && batchFills.length > 0) await d.hosts.notifyFills(batchFills);
    if (d.shouldStop?.()) {
      // A prefetched batch (if any) is dropped unprocessed: nothing it decided reaches the account.
      stoppedEarly = true;
      break;
    }
    current = next !== undefined ? await next : await fetchNext();
  }

  // 5. the strategies' end of run: onFinish Signals are decided at the last step's prices (after a
  // stop that dropped a prefetched batch, the strategies saw one batch more than the account; the
  // account's last prices are still the only ones it can trade at). With no step there is no
  // price to decide at, and nothing was traded: they are not acted on.
  const endFills: Fill[] = [];
  const finals = await d.hosts.finish();
  if (lastTs !== undefined) {
    for (const sig of finals) decide(sig, endFills);
    settleDecisions();
  }

  if (d.closeAtEnd && lastTs !== undefined) {
    for (const f of execution.closeAll(lastCandle)) {
      book(f);
      endFills.push(f);
    }
    drainNotes();
  }
  if (lastTs !== undefined && (d.closeAtEnd || endFills.length > 0)) {
    const snap = portfolio.mark(lastTs, prices);
    // Replace the last mark: fills at the last close change cash (fees), not the step count.
    if (equity.length > 0) equity.length--;
    equity.push(snap);
    sink.equity(snap);
  }
  sink.flush();
  return { steps, candles, equity, fills, trades, signals: nSignals, approved, denied, firstTs, lastTs, stoppedEarly };
}

function candleOf(b: CandleBatch, i: number): Candle {
  return { ts: b.ts[i]!, open: b.open[i]!, high: b.high[i]!, low: b.low[i]!, close: b.close[i]!, volume: b.volume[i]! };
}

/** Orders execution ended without a fill free their reservations in the gate; every note is recorded. */
export function settleExecutionNotes(
  execution: Pick<ExecutionAdapter, 'drainNotes'>,
  gate: Pick<RiskGatePort, 'onOrderCancelled'>,
  sink: Pick<AccountingSink, 'executionNote'>,
): void {
  for (const n of execution.drainNotes()) {
    if (releasesReservation(n)) gate.onOrderCancelled(n.orderId);
    sink.executionNote(n);
  }
}
