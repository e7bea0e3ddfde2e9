/**
 * What the candle loop itself carries from one step to the next: the last candle and close of
 * every symbol (the price a Signal is decided at, the candle an order is submitted on), the ATR
 * per symbol that sizes a Signal without a stop, the stop each pending order was decided with (a
 * closed trade's R multiple), and the last step's time. A backtest's loop makes a fresh one; a
 * resumed forward account hands the loop the one it restored, so its next process decides
 * exactly as this one would have. The loop's counters (steps, fills, signals of this run) are
 * statistics of the run and start at zero in every process: nothing in the decision path reads them.
 */
import { StateReader } from '../core/state-json.ts';
import type { Candle } from '../domain/candle.ts';
import { AtrStream, type AtrStreamState } from '../indicators/atr.ts';

export interface LoopStateSnapshot {
  readonly v: 1;
  /** Open time of the last step the loop processed (null before the first). */
  readonly lastTs: number | null;
  readonly symbols: ReadonlyArray<{ readonly symbol: string; readonly candle: Candle | null; readonly price: number | null; readonly atr: AtrStreamState }>;
  /** Stop at decision of the orders still pending. */
  readonly stops: ReadonlyArray<{ readonly orderId: string; readonly stop: number | null }>;
}

export class LoopState {
  readonly lastCandle = new Map<string, Candle>();
  readonly prices = new Map<string, number>();
  readonly atr = new Map<string, AtrStream>();
  /** orderId -> stop at entry (for R multiples). */
  readonly stopOf = new Map<string, number | undefined>();
  lastTs: number | undefined;

  constructor(readonly atrPeriod: number) {}

  /** Gives every symbol of the run its ATR stream (the ones restored are kept). */
  addSymbols(symbols: readonly string[]): void {
    for (const s of symbols) if (!this.atr.has(s)) this.atr.set(s, new AtrStream(this.atrPeriod));
  }

  /** The state as plain data; `pendingOrderIds` are the orders execution still holds (only their stops matter from now on). */
  snapshot(pendingOrderIds: Iterable<string>): LoopStateSnapshot {
    const stops: Array<{ orderId: string; stop: number | null }> = [];
    for (const id of pendingOrderIds) if (this.stopOf.has(id)) stops.push({ orderId: id, stop: this.stopOf.get(id) ?? null });
    const symbols = [...this.atr].map(([symbol, a]) => ({ symbol, candle: this.lastCandle.get(symbol) ?? null, price: this.prices.get(symbol) ?? null, atr: a.state() }));
    return { v: 1, lastTs: this.lastTs ?? null, symbols, stops };
  }

  /** Continues from a snapshot (every field checked; CT_ERR_ACCOUNT_STATE naming it otherwise). Call on a fresh state. */
  restore(state: unknown): void {
    const r = new StateReader(state, 'loop').version(1);
    const lastTs = r.numOrNull('lastTs');
    const stops = r.list('stops').map((s) => [s.str('orderId'), s.numOrNull('stop') ?? undefined] as const);
    for (const x of r.list('symbols')) {
      const symbol = x.str('symbol');
      const a = new AtrStream(this.atrPeriod);
      const s = x.obj('atr');
      a.setState({ n: s.int('n'), count: s.int('count'), prevClose: s.num('prevClose'), sum: s.num('sum'), last: s.num('last') });
      this.atr.set(symbol, a);
      if (x.raw('candle') !== null) {
        const c = x.obj('candle');
        this.lastCandle.set(symbol, { ts: c.finite('ts'), open: c.finite('open'), high: c.finite('high'), low: c.finite('low'), close: c.finite('close'), volume: c.finite('volume') });
      }
      const px = x.numOrNull('price');
      if (px !== null) this.prices.set(symbol, px);
    }
    for (const [id, stop] of stops) this.stopOf.set(id, stop);
    this.lastTs = lastTs ?? undefined;
  }
}
