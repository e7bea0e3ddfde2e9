import type { Clock } from '../core/clock.ts';
import type { Candle } from '../domain/candle.ts';
import type { CandleStep } from '../domain/candle-batch.ts';

/** What the live feed yields: a closed candle, or word that the exchange has no candle for a symbol up to a time. */
export type LiveItem = { readonly symbol: string; readonly candle: Candle } | { readonly symbol: string; readonly settledThrough: number };

/** The feed's backfill, asked for a candle a symbol has not delivered when the grace period runs out. */
export interface LiveBackfill {
  ensureThrough(symbol: string, ts: number): void;
}

export interface LiveStepOptions {
  /** How long the oldest pending step waits for a symbol that has not delivered yet. */
  readonly graceMs: number;
  /** The time the grace period is measured and waited on: the wall clock in a live session. */
  readonly clock: Clock;
  readonly onLate?: (late: LateCandle) => void;
  /**
   * With it, a step is never traded without a symbol's candle that the exchange has: when the
   * grace period runs out, the late symbols are backfilled, and the step waits until each has
   * delivered its candle (or a newer one) or the feed says the exchange has none
   * (`settledThrough`). Without it, the step goes on without the late symbols.
   */
  readonly backfill?: LiveBackfill;
}

export interface LateCandle {
  readonly symbol: string;
  readonly ts: number;
  /** The newest step already handed to the loop. */
  readonly lastStepTs: number;
}

/**
 * Turns a live stream of closed candles (one symbol at a time, each symbol in increasing ts)
 * into loop steps. Step t is emitted once it is complete as it will ever be:
 *  - every symbol has delivered its candle for t, or a NEWER one (a symbol that skipped t, e.g.
 *    no trade in that interval, simply has no candle in the step — never an invented one); or
 *  - `graceMs` passed, on the injected clock, since the oldest pending step began waiting (a
 *    symbol's feed is late) and, when the feed can backfill (`backfill`), the late symbols have
 *    been fetched over REST or the exchange has said it has no candle for them. The grace period
 *    is the one place where the loop's input depends on wall time; reading the mode's clock (never
 *    the global one) makes it exact to test.
 * The feed passes each symbol's candles on in order and without a hole (it backfills holes before
 * the candle after them), so "a newer candle came" means "this one does not exist".
 * Symbols interleave freely: one symbol running ahead never cuts another's candle out of its
 * step. A candle that arrives for a step already emitted cannot be traded on any more (the loop
 * only moves forward); it is reported through `onLate` and dropped.
 */
export async function* liveSteps(
  feed: AsyncIterable<LiveItem>,
  symbols: readonly string[],
  opts: LiveStepOptions,
): AsyncGenerator<CandleStep> {
  const { graceMs, clock } = opts;
  const onLate = opts.onLate ?? ((): void => undefined);
  const order = new Map(symbols.map((s, i) => [s, i] as const));
  const pending = new Map<number, Map<string, Candle>>();
  /** Newest candle ts seen per symbol. */
  const newest = new Map<string, number>();
  const it = feed[Symbol.asyncIterator]();
  const ready: CandleStep[] = [];
  let lastEmitted = -Infinity;
  let next: Promise<IteratorResult<LiveItem>> | undefined;
  let waitingSince = 0;
  /** The step whose late symbols the feed was asked to backfill: it waits for them without a timer. */
  let backfilling: number | undefined;

  const emit = (t: number): void => {
    const m = pending.get(t)!;
    pending.delete(t);
    const candles = [...m].sort(([a], [b]) => order.get(a)! - order.get(b)!).map(([symbol, candle]) => ({ symbol, candle }));
    ready.push({ ts: t, candles });
    lastEmitted = t;
  };
  /** Emits, oldest first, every pending step that no symbol can still add to. */
  const emitComplete = (): void => {
    for (const t of [...pending.keys()].sort((a, b) => a - b)) {
      if (!symbols.every((s) => (newest.get(s) ?? -Infinity) >= t)) break;
      emit(t);
    }
  };

  for (;;) {
    while (ready.length > 0) yield ready.shift()!;
    next ??= it.next();
    let r: IteratorResult<LiveItem> | 'timeout';
    const oldest = pending.size === 0 ? undefined : Math.min(...pending.keys());
    if (oldest === undefined || oldest === backfilling) {
      r = await next;
    } else {
      const wait = clock.sleep(Math.max(0, waitingSince + graceMs - clock.now()));
      r = await Promise.race([next, wait.done.then(() => 'timeout' as const)]);
      wait.cancel();
    }
    if (r === 'timeout') {
      if (opts.backfill !== undefined) {
        backfilling = oldest!;
        for (const s of symbols) if ((newest.get(s) ?? -Infinity) < oldest!) opts.backfill.ensureThrough(s, oldest!);
        continue;
      }
      emit(oldest!);
      emitComplete();
      waitingSince = clock.now();
      continue;
    }
    next = undefined;
    if (r.done) {
      for (const t of [...pending.keys()].sort((a, b) => a - b)) emit(t);
      while (ready.length > 0) yield ready.shift()!;
      return;
    }
    if (!('candle' in r.value)) {
      // The exchange has no candle for this symbol up to here: the steps before need not wait for it.
      const { symbol, settledThrough } = r.value;
      newest.set(symbol, Math.max(newest.get(symbol) ?? -Infinity, settledThrough));
      const before = pending.size;
      emitComplete();
      if (pending.size < before) waitingSince = clock.now();
      continue;
    }
    const { symbol, candle } = r.value;
    if (candle.ts <= lastEmitted) {
      onLate({ symbol, ts: candle.ts, lastStepTs: lastEmitted });
      continue;
    }
    if (pending.size === 0) waitingSince = clock.now();
    const m = pending.get(candle.ts) ?? new Map<string, Candle>();
    m.set(symbol, candle);
    pending.set(candle.ts, m);
    newest.set(symbol, Math.max(newest.get(symbol) ?? -Infinity, candle.ts));
    const before = pending.size;
    emitComplete();
    if (pending.size < before) waitingSince = clock.now();
  }
}
