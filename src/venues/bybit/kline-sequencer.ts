/**
 * One symbol of the live kline feed: turns the confirmed candles the WebSocket delivers into a
 * sequence that is strictly increasing and has no hole, by filling every hole over REST before
 * the candle after it is passed on.
 *
 * A hole opens when
 *  - a confirmed candle arrives whose time skips the expected next one (a push that never came,
 *    on a connection that stayed up), or
 *  - the consumer asks for a candle this symbol has not delivered (`ensureThrough`: the other
 *    symbols have closed that step), or
 *  - the connection was (re)subscribed: whatever closed while it was down is fetched up to the
 *    exchange's present (`resync`).
 * While a hole is open, live candles wait in a buffer; the hole is fetched page by page and every
 * failed request is retried with capped exponential backoff, one warning per attempt naming the
 * symbol and range, until it succeeds or the feed is closed: a hole is never skipped (even on an
 * error that looks final: skipping would lose candles, and the warnings say what is wrong). A resync
 * during a backfill makes the backfill run again to the present once it is done, so a second
 * disconnect cannot cut a backfill short.
 *
 * Only the exchange can end a hole without candles: when a REST reply shows the range closed
 * (reply time past its end) and some candles in it do not exist, that range is reported as a gap
 * (`onGap`) and the consumer is told the symbol is settled through it (`settledThrough`), so
 * it trades the step without this symbol instead of waiting for a candle that will never come.
 *
 * Duplicates (the same candle pushed twice) and out-of-order frames (an older candle after a newer
 * one) are counted against the previous WebSocket candle and dropped; a live candle the backfill
 * already delivered is an overlap, not a fault.
 */
import type { FeedGap } from '../../domain/feed-gap.ts';
import { CtError } from '../../core/errors.ts';
import { isoUtc } from '../../core/time.ts';
import type { Candle } from '../../domain/candle.ts';
import { candleProblem } from '../../domain/candle-validation.ts';
import { toCtError } from './errors.ts';
import { KLINE_PAGE_LIMIT, type ClosedKlinePage } from './rest-klines.ts';
import { backoffDelay, sleep, type RetryPolicy, type VenueLogger } from './retry.ts';

/** What the feed yields: a closed candle, or word that the exchange has no candle up to a time. */
export type { FeedGap };
export type FeedItem =
  | { readonly symbol: string; readonly candle: Candle }
  | { readonly symbol: string; readonly settledThrough: number };

/** A hole being filled, as the status line shows it. */
export interface OpenHole {
  readonly symbol: string;
  readonly fromTs: number;
  /** Last missing open time known; undefined while catching up to the present after a reconnect. */
  readonly toTs: number | undefined;
  readonly attempts: number;
}

export interface SymbolCounts {
  live: number;
  backfilled: number;
  duplicates: number;
  outOfOrder: number;
  holes: number;
  gaps: number;
}

export type SequencerEvent =
  | { type: 'hole_opened'; symbol: string; fromTs: number; toTs: number; reason: string }
  | { type: 'backfill_failed'; symbol: string; attempt: number; delayMs: number; code: string }
  | { type: 'backfilled'; symbol: string; candles: number; attempts: number }
  | { type: 'gap'; gap: FeedGap }
  | { type: 'duplicate'; symbol: string; ts: number }
  | { type: 'out_of_order'; symbol: string; ts: number; lastTs: number };

export interface SequencerDeps {
  readonly symbol: string;
  readonly timeframe: string;
  readonly tfMs: number;
  /** One REST page of closed candles with open time in [startMs, endMs] (Bybit: both inclusive). */
  readonly fetchPage: (startMs: number, endMs: number) => Promise<ClosedKlinePage>;
  readonly push: (item: FeedItem) => void;
  readonly retry: RetryPolicy;
  readonly logger: VenueLogger;
  readonly signal: AbortSignal;
  readonly onEvent: (e: SequencerEvent) => void;
}

export class KlineSequencer {
  /** Newest candle passed on (or settled), -Infinity before the first. */
  private lastTs: number;
  /** Newest candle the WebSocket delivered: duplicates and out-of-order frames are judged against it. */
  private lastLiveTs = -Infinity;
  /** The backfill must settle every candle up to this open time. */
  private reachTs = -Infinity;
  /** The backfill must also catch up with the exchange's present (set by a (re)subscribe). */
  private reachNow = false;
  private filling = false;
  private attempts = 0;
  private holeFrom: number | undefined;
  private buffer: Candle[] = [];
  readonly counts: SymbolCounts = { live: 0, backfilled: 0, duplicates: 0, outOfOrder: 0, holes: 0, gaps: 0 };

  constructor(private readonly d: SequencerDeps, lastClosedTs?: number) {
    this.lastTs = lastClosedTs ?? -Infinity;
  }

  /** A confirmed, validated candle from the WebSocket. */
  onLive(c: Candle): void {
    if (c.ts === this.lastLiveTs) {
      this.counts.duplicates++;
      this.d.onEvent({ type: 'duplicate', symbol: this.d.symbol, ts: c.ts });
      return;
    }
    if (c.ts < this.lastLiveTs) {
      this.counts.outOfOrder++;
      this.d.onEvent({ type: 'out_of_order', symbol: this.d.symbol, ts: c.ts, lastTs: this.lastLiveTs });
      return;
    }
    this.lastLiveTs = c.ts;
    if (this.filling) {
      this.buffer.push(c);
      return;
    }
    this.sequence(c, 'live');
  }

  /** After a (re)subscribe: fetch what closed while the connection was down. */
  resync(): void {
    if (!Number.isFinite(this.lastTs)) return;
    this.reachNow = true;
    void this.fill();
  }

  /** The consumer needs this symbol's candle `ts` (other symbols have closed that step). */
  ensureThrough(ts: number): void {
    if (this.lastTs >= ts) return;
    if (!Number.isFinite(this.lastTs)) this.lastTs = ts - this.d.tfMs;
    if (ts <= this.reachTs) return;
    const from = Math.max(this.lastTs + this.d.tfMs, this.reachTs + this.d.tfMs);
    this.reachTs = ts;
    this.opened(from, ts, 'the other symbols have closed it but the WebSocket has not delivered it');
    void this.fill();
  }

  /** The hole being filled, if it is worth showing (a known range, or failed attempts). */
  openHole(): OpenHole | undefined {
    if (!this.filling && this.reachTs <= this.lastTs) return undefined;
    const bounded = this.reachTs > this.lastTs;
    if (!bounded && this.attempts === 0) return undefined;
    // From the first candle still missing: what the backfill has delivered is no longer part of it.
    return { symbol: this.d.symbol, fromTs: this.lastTs + this.d.tfMs, toTs: bounded ? this.reachTs : undefined, attempts: this.attempts };
  }

  /** At the end of the run: a known hole still open is reported as a gap. */
  close(): void {
    if (this.reachTs > this.lastTs) {
      this.gap(this.lastTs + this.d.tfMs, this.reachTs, `the run ended before the hole was filled (${this.attempts} failed backfill attempts)`);
    }
  }

  private range(from: number, to: number | undefined): string {
    return `${isoUtc(from)}..${to === undefined ? 'now' : isoUtc(to)}`;
  }

  private opened(from: number, to: number, reason: string): void {
    if (this.holeFrom === undefined) {
      this.holeFrom = from;
      this.counts.holes++;
    }
    this.d.onEvent({ type: 'hole_opened', symbol: this.d.symbol, fromTs: from, toTs: to, reason });
    this.d.logger.warn(
      { code: 'CT_ERR_FEED_GAP', symbol: this.d.symbol, from: isoUtc(from), to: isoUtc(to) },
      `CT_ERR_FEED_GAP: ${this.d.symbol} ${this.d.timeframe} candles ${this.range(from, to)} missing from the live feed (${reason}); backfilling over REST before trading on`,
    );
  }

  /** Passes a live candle on, or opens a hole before it. */
  private sequence(c: Candle, via: 'live' | 'buffer'): boolean {
    if (!Number.isFinite(this.lastTs)) {
      this.pass(c, 'live');
      return true;
    }
    if (c.ts <= this.lastTs) return true; // the backfill already delivered it
    if (c.ts > this.lastTs + this.d.tfMs) {
      this.buffer.unshift(c);
      const from = this.lastTs + this.d.tfMs;
      if (c.ts - this.d.tfMs > this.reachTs) {
        this.reachTs = c.ts - this.d.tfMs;
        this.opened(from, this.reachTs, `candle ${isoUtc(c.ts)} arrived${via === 'buffer' ? ' after a backfill' : ''} but the ones before it never did`);
      }
      void this.fill();
      return false;
    }
    this.pass(c, 'live');
    return true;
  }

  private pass(c: Candle, how: 'live' | 'backfill'): void {
    this.lastTs = c.ts;
    if (how === 'live') this.counts.live++;
    else this.counts.backfilled++;
    this.d.push({ symbol: this.d.symbol, candle: c });
  }

  private gap(from: number, to: number, message: string): void {
    const gap: FeedGap = { symbol: this.d.symbol, fromTs: from, toTs: to, candles: Math.round((to - from) / this.d.tfMs) + 1, attempts: this.attempts, message };
    this.counts.gaps++;
    this.d.logger.warn(
      { code: 'CT_ERR_FEED_GAP', symbol: gap.symbol, from: isoUtc(from), to: isoUtc(to), candles: gap.candles },
      `CT_ERR_FEED_GAP: ${gap.symbol} ${this.d.timeframe} candles ${this.range(from, to)} (${gap.candles}) could not be filled: ${message}; recorded as a feed gap`,
    );
    this.d.onEvent({ type: 'gap', gap });
  }

  /** The exchange says [from, to] holds no (valid) candle: report it and settle past it. */
  private settle(from: number, to: number, serverTime: number): void {
    this.gap(from, to, `the exchange has no candle there (REST reply at ${isoUtc(serverTime)})`);
    this.lastTs = to;
    this.d.push({ symbol: this.d.symbol, settledThrough: to });
  }

  private holeIsOpen(): boolean {
    return this.reachNow || this.reachTs > this.lastTs || this.buffer.length > 0;
  }

  private async fill(): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    let fetched = 0;
    try {
      while (!this.d.signal.aborted && this.holeIsOpen()) {
        const toNow = this.reachNow;
        this.reachNow = false;
        const before = this.counts.backfilled;
        try {
          if (toNow || this.reachTs > this.lastTs) await this.fetchPass(toNow);
        } catch (e) {
          fetched += this.counts.backfilled - before;
          if (this.d.signal.aborted) return;
          this.reachNow ||= toNow;
          await this.failed(e);
          continue;
        }
        fetched += this.counts.backfilled - before;
        this.release();
      }
    } finally {
      this.filling = false;
      if (!this.d.signal.aborted) {
        this.d.onEvent({ type: 'backfilled', symbol: this.d.symbol, candles: fetched, attempts: this.attempts });
        if (this.holeFrom !== undefined || this.attempts > 0 || fetched > 0) {
          this.d.logger.info(
            { symbol: this.d.symbol, candles: fetched, failedAttempts: this.attempts },
            `${this.d.symbol} ${this.d.timeframe}: backfilled ${fetched} candles over REST${this.holeFrom === undefined ? '' : ` (hole from ${isoUtc(this.holeFrom)})`}${this.attempts > 0 ? ` after ${this.attempts} failed attempts` : ''}; live again from ${isoUtc(this.lastTs)}`,
          );
        }
        this.holeFrom = undefined;
        this.attempts = 0;
      }
    }
  }

  private async failed(e: unknown): Promise<void> {
    this.attempts++;
    const err = toCtError(e, `bybit kline ${this.d.symbol}`);
    const delay = backoffDelay(this.d.retry, Math.min(this.attempts - 1, 30));
    const from = this.lastTs + this.d.tfMs;
    const to = this.reachTs > this.lastTs ? this.reachTs : undefined;
    this.d.onEvent({ type: 'backfill_failed', symbol: this.d.symbol, attempt: this.attempts, delayMs: delay, code: err.code });
    this.d.logger.warn(
      { code: 'CT_ERR_FEED_GAP', cause: err.code, symbol: this.d.symbol, from: isoUtc(from), to: to === undefined ? 'now' : isoUtc(to), attempt: this.attempts, delayMs: delay },
      `CT_ERR_FEED_GAP: ${this.d.symbol} ${this.d.timeframe} backfill of ${this.range(from, to)} failed (attempt ${this.attempts}: ${err.toLine()}); retrying in ${delay} ms`,
    );
    await sleep(delay, this.d.signal).catch(() => undefined);
  }

  /**
   * Fetches from the last candle on, page by page: up to `reachTs`, or to the present with `toNow`.
   * Throws on a failed request (the caller retries) and when the range is not closed yet.
   */
  private async fetchPass(toNow: boolean): Promise<void> {
    const tf = this.d.tfMs;
    for (;;) {
      this.d.signal.throwIfAborted();
      const start = this.lastTs + tf;
      const bound = toNow ? Infinity : this.reachTs;
      if (start > bound) return;
      const end = Math.min(start + (KLINE_PAGE_LIMIT - 1) * tf, bound);
      const page = await this.d.fetchPage(start, end);
      const c = page.cols;
      for (let i = 0; i < c.length; i++) {
        const ts = c.ts[i]!;
        if (ts <= this.lastTs || ts > end) continue;
        const problem = candleProblem(ts, c.open[i]!, c.high[i]!, c.low[i]!, c.close[i]!, c.volume[i]!, tf);
        if (problem !== undefined) {
          this.d.logger.warn({ code: 'CT_ERR_CANDLE_INVALID', symbol: this.d.symbol, ts }, `CT_ERR_CANDLE_INVALID: ${this.d.symbol} backfill candle ${isoUtc(ts)} skipped: ${problem}`);
          continue;
        }
        // A later candle exists, so the ones between are not coming: the exchange has none.
        if (ts > this.lastTs + tf) this.settle(this.lastTs + tf, ts - tf, page.serverTime);
        this.pass({ ts, open: c.open[i]!, high: c.high[i]!, low: c.low[i]!, close: c.close[i]!, volume: c.volume[i]! }, 'backfill');
      }
      if (page.serverTime >= end + tf) {
        // The whole window has closed: what it lacks does not exist.
        if (this.lastTs < end) this.settle(this.lastTs + tf, end, page.serverTime);
        continue;
      }
      // The window reaches the candle forming now.
      if (toNow || this.lastTs >= this.reachTs) return;
      throw new CtError('CT_ERR_EXCHANGE_UNAVAILABLE', `the exchange has not closed ${isoUtc(this.reachTs)} yet (REST reply at ${isoUtc(page.serverTime)})`);
    }
  }

  /** Passes buffered live candles on, up to the next hole. */
  private release(): void {
    while (this.buffer.length > 0) {
      const c = this.buffer.shift()!;
      if (!this.sequence(c, 'buffer')) return;
    }
  }
}
