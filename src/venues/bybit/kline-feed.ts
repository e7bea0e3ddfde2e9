/**
 * Live closed-candle feed from Bybit's public WebSocket, for forward and live mode.
 *
 * Contract: an async iterable of FeedItems. Per symbol, candles are CLOSED (`confirm:true`),
 * strictly increasing in ts and without a hole: a skipped push, a disconnect or a stall is
 * backfilled over REST before the candle after it is passed on, and a failed backfill is retried
 * until it succeeds or the feed is closed (kline-sequencer.ts). Only when the exchange itself has
 * no candle for a range does the feed pass on `{symbol, settledThrough}` instead (and report the
 * gap through `onGap`). `ensureThrough(symbol, ts)` asks for a candle a symbol has not delivered
 * yet; the step assembler (src/app/live-steps.ts) calls it when its grace period runs out.
 *
 * Connection policy (docs/exchange.md): ping every `pingIntervalMs` (Bybit recommends 20 s); if no
 * frame at all (pong or data) arrives for `stallTimeoutMs`, the connection is dead and is
 * terminated; reconnects use capped exponential backoff reset by a successful subscribe. Malformed
 * frames are logged with CT_ERR_EXCHANGE_REPLY_INVALID and dropped; a refused subscription (bad
 * symbol/topic) ends the iteration with CT_ERR_EXCHANGE_REJECTED, since retrying cannot fix
 * configuration. Every `summaryIntervalMs`, and when the feed is closed, one info line sums up
 * what the feed saw (candles live and backfilled, duplicates, out-of-order and bad frames,
 * reconnects, holes, gaps).
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { CtError } from '../../core/errors.ts';
import { bybitInterval, timeframeMs, type Timeframe } from '../../core/timeframe.ts';
import type { Candle } from '../../domain/candle.ts';
import { marketId, type MarketType } from '../../domain/instrument.ts';
import { candleProblem } from '../../domain/candle-validation.ts';
import { createBybitClient, type BybitClient } from './ccxt-client.ts';
import { feedSummary, type FeedTotals } from './feed-summary.ts';
import { KlineSequencer, type FeedGap, type FeedItem, type OpenHole, type SequencerEvent } from './kline-sequencer.ts';
import { fetchClosedKlines, resolveMarket, type ResolvedMarket } from './rest-klines.ts';
import { DEFAULT_RETRY_POLICY, SILENT_LOGGER, type RetryPolicy, type VenueLogger } from './retry.ts';
import { parseWsFrame, type KlineBar } from './ws-frames.ts';

export type { FeedGap, FeedItem, OpenHole } from './kline-sequencer.ts';

export interface ClosedKline {
  /** ccxt unified symbol, as given in the options. */
  readonly symbol: string;
  readonly candle: Candle;
}

export type FeedEvent =
  | SequencerEvent
  | { type: 'connected'; connection: number }
  | { type: 'subscribed'; connection: number }
  | { type: 'dead'; connection: number; silentMs: number }
  | { type: 'disconnected'; connection: number }
  | { type: 'reconnect_scheduled'; delayMs: number }
  | { type: 'dropped_frame'; reason: string }
  | { type: 'summary'; line: string };

export const DEFAULT_PING_INTERVAL_MS = 20_000;
export const DEFAULT_STALL_TIMEOUT_MS = 50_000;
export const DEFAULT_SUMMARY_INTERVAL_MS = 600_000;

export interface KlineFeedOptions {
  /** WS base (`exchange.ws_url`), e.g. wss://stream.bybit.com. */
  readonly wsUrl: string;
  /** REST base (`exchange.rest_url`) for backfill, unless `client` is given. */
  readonly restUrl?: string;
  readonly client?: BybitClient;
  readonly market: MarketType;
  readonly timeframe: Timeframe;
  /** ccxt unified symbols (BTC/USDT spot, BTC/USDT:USDT linear). */
  readonly symbols: readonly string[];
  /** Last closed candle already known per symbol: the feed backfills after it on connect. */
  readonly lastClosedTs?: Readonly<Record<string, number>>;
  /** `exchange.ws_ping_interval_ms`; default 20 000. */
  readonly pingIntervalMs?: number;
  /** `exchange.ws_stall_timeout_ms`: no frame for this long = dead connection. Default 50 000. */
  readonly stallTimeoutMs?: number;
  /** `exchange.ws_summary_interval_ms`: period of the summary line (0 = only at the end). Default 600 000. */
  readonly summaryIntervalMs?: number;
  /** Reconnect backoff: base doubles per consecutive failure up to cap. Default 500 / 30 000. */
  readonly reconnectBaseMs?: number;
  readonly reconnectCapMs?: number;
  /** Backoff between backfill attempts (only base and cap apply: a hole is retried until filled). */
  readonly retry?: Partial<RetryPolicy>;
  readonly logger?: VenueLogger;
  readonly onEvent?: (e: FeedEvent) => void;
  /** A range the feed could not fill (the exchange has no candles there, or the run ended first). */
  readonly onGap?: (g: FeedGap) => void;
}

export class BybitKlineFeed implements AsyncIterable<FeedItem> {
  private readonly interval: string;
  private readonly byId = new Map<string, KlineSequencer>();
  private readonly bySymbol = new Map<string, KlineSequencer>();
  private readonly queue: FeedItem[] = [];
  private readonly lifetime = new AbortController();
  private waiter: { resolve: (r: IteratorResult<FeedItem>) => void; reject: (e: unknown) => void } | undefined;
  private failure: unknown;
  private closed = false;
  private started = false;
  private ws: WebSocket | undefined;
  private connection = 0;
  private attempt = 0;
  private lastRx = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private summaryTimer: NodeJS.Timeout | undefined;
  private pingSeq = 0;
  private client: BybitClient | undefined;
  private readonly logger: VenueLogger;
  private readonly pingMs: number;
  private readonly stallMs: number;
  private readonly totals: FeedTotals = { reconnects: 0, stalls: 0, badFrames: 0 };

  constructor(private readonly opts: KlineFeedOptions) {
    const tfMs = timeframeMs(opts.timeframe);
    this.interval = bybitInterval(opts.timeframe);
    this.logger = opts.logger ?? SILENT_LOGGER;
    this.pingMs = opts.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.stallMs = opts.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    const retry = { ...DEFAULT_RETRY_POLICY, ...(opts.retry ?? {}) };
    for (const s of opts.symbols) {
      let market: ResolvedMarket | undefined;
      const fetchPage = async (start: number, end: number) => {
        this.client ??= opts.client ?? createBybitClient({ restUrl: opts.restUrl, market: opts.market });
        market ??= await resolveMarket(this.client, s);
        return fetchClosedKlines(this.client, market, opts.timeframe, start, end);
      };
      const seq = new KlineSequencer({
        symbol: s, timeframe: opts.timeframe, tfMs, fetchPage, retry, logger: this.logger, signal: this.lifetime.signal,
        push: (item) => this.push(item),
        onEvent: (e) => {
          if (e.type === 'gap') opts.onGap?.(e.gap);
          this.event(e);
        },
      }, opts.lastClosedTs?.[s]);
      this.byId.set(marketId(s), seq);
      this.bySymbol.set(s, seq);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<FeedItem> {
    if (!this.started) {
      this.started = true;
      this.connect();
      const every = this.opts.summaryIntervalMs ?? DEFAULT_SUMMARY_INTERVAL_MS;
      if (every > 0) {
        this.summaryTimer = setInterval(() => this.summarise('summary'), every);
        this.summaryTimer.unref();
      }
    }
    return {
      next: () => this.next(),
      return: async () => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** The consumer needs `symbol`'s candle `ts`: backfill it (and anything before it) if it has not come. */
  ensureThrough(symbol: string, ts: number): void {
    if (!this.closed) this.bySymbol.get(symbol)?.ensureThrough(ts);
  }

  /** Holes being filled now, for the status line. */
  openHoles(): OpenHole[] {
    return [...this.bySymbol.values()].flatMap((s) => s.openHole() ?? []);
  }

  /** The summary line as it stands (also logged periodically and at the end). */
  summaryLine(): string {
    return feedSummary(this.opts.timeframe, this.bySymbol, this.totals, this.openHoles().length);
  }

  /** Stops the feed: records the holes still open as gaps, logs the summary, closes the socket, ends the iteration. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lifetime.abort();
    for (const s of this.bySymbol.values()) s.close();
    clearInterval(this.summaryTimer);
    if (this.started) this.summarise('summary at the end');
    this.stopTimers();
    clearTimeout(this.reconnectTimer);
    this.ws?.terminate();
    this.ws = undefined;
    this.waiter?.resolve({ done: true, value: undefined });
    this.waiter = undefined;
  }

  private summarise(what: string): void {
    const line = `bybit feed ${what}: ${this.summaryLine()}`;
    this.event({ type: 'summary', line });
    this.logger.info({ feed: 'summary' }, line);
  }

  private next(): Promise<IteratorResult<FeedItem>> {
    const item = this.queue.shift();
    if (item !== undefined) return Promise.resolve({ done: false, value: item });
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private push(item: FeedItem): void {
    if (this.closed) return;
    if (this.waiter !== undefined) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ done: false, value: item });
    } else {
      this.queue.push(item);
    }
  }

  private fail(err: CtError): void {
    this.logger.error({ code: err.code }, err.toLine());
    this.failure = err;
    const w = this.waiter;
    this.waiter = undefined;
    this.close();
    w?.reject(err);
  }

  private event(e: FeedEvent): void {
    this.opts.onEvent?.(e);
  }

  private url(): string {
    const base = this.opts.wsUrl.endsWith('/') ? this.opts.wsUrl.slice(0, -1) : this.opts.wsUrl;
    return `${base}/v5/public/${this.opts.market === 'spot' ? 'spot' : 'linear'}`;
  }

  private topics(): string[] {
    return [...this.byId.keys()].map((id) => `kline.${this.interval}.${id}`);
  }

  private connect(): void {
    if (this.closed) return;
    const n = ++this.connection;
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.on('open', () => {
      this.event({ type: 'connected', connection: n });
      this.lastRx = performance.now();
      ws.send(JSON.stringify({ op: 'subscribe', req_id: `sub-${n}`, args: this.topics() }));
      this.startTimers(ws, n);
    });
    ws.on('message', (data) => {
      this.lastRx = performance.now();
      this.onFrame(data.toString(), n);
    });
    ws.on('error', (e) => {
      this.logger.warn({ code: 'CT_ERR_EXCHANGE_UNAVAILABLE', connection: n }, `CT_ERR_EXCHANGE_UNAVAILABLE: bybit ws ${this.url()}: ${e.message}`);
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.stopTimers();
      this.event({ type: 'disconnected', connection: n });
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const base = this.opts.reconnectBaseMs ?? 500;
    const delay = Math.min(this.opts.reconnectCapMs ?? 30_000, base * 2 ** this.attempt);
    this.attempt++;
    this.totals.reconnects++;
    this.event({ type: 'reconnect_scheduled', delayMs: delay });
    this.logger.warn({ code: 'CT_ERR_EXCHANGE_UNAVAILABLE', delayMs: delay }, `CT_ERR_EXCHANGE_UNAVAILABLE: bybit ws ${this.url()} disconnected; reconnecting in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private startTimers(ws: WebSocket, n: number): void {
    this.stopTimers();
    // One timer does both jobs: send the ping, then check liveness at a finer grain than the ping.
    const tick = Math.max(5, Math.min(this.pingMs, this.stallMs) / 2);
    let sincePing = 0;
    this.pingTimer = setInterval(() => {
      const silent = performance.now() - this.lastRx;
      if (silent > this.stallMs) {
        this.totals.stalls++;
        this.event({ type: 'dead', connection: n, silentMs: Math.round(silent) });
        this.logger.warn(
          { code: 'CT_ERR_EXCHANGE_UNAVAILABLE', silentMs: Math.round(silent), stallTimeoutMs: this.stallMs },
          `CT_ERR_EXCHANGE_UNAVAILABLE: bybit ws silent for ${Math.round(silent)} ms (no pong, no data; stall timeout ${this.stallMs} ms); reconnecting`,
        );
        ws.terminate();
        return;
      }
      sincePing += tick;
      if (sincePing >= this.pingMs) {
        sincePing = 0;
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ req_id: `ping-${++this.pingSeq}`, op: 'ping' }));
      }
    }, tick);
  }

  private stopTimers(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private dropped(reason: string, fields: Record<string, unknown>, what: string): void {
    this.totals.badFrames++;
    this.event({ type: 'dropped_frame', reason });
    this.logger.warn({ code: 'CT_ERR_EXCHANGE_REPLY_INVALID', reason, ...fields }, `CT_ERR_EXCHANGE_REPLY_INVALID: bybit ws ${what} dropped: ${reason}`);
  }

  private onFrame(text: string, n: number): void {
    const f = parseWsFrame(text);
    switch (f.kind) {
      case 'pong':
      case 'unknown':
        return;
      case 'invalid':
        this.dropped(f.reason, { frame: f.text }, 'frame');
        return;
      case 'ack':
        if (f.op !== 'subscribe') return;
        if (!f.success) {
          this.fail(new CtError('CT_ERR_EXCHANGE_REJECTED', `bybit ws ${this.url()}: subscribe to ${this.topics().join(',')} refused: ${f.retMsg}`, {
            details: { retMsg: f.retMsg },
          }));
          return;
        }
        this.attempt = 0;
        this.event({ type: 'subscribed', connection: n });
        for (const seq of this.byId.values()) seq.resync();
        return;
      case 'kline': {
        const seq = this.byId.get(f.marketId);
        if (seq === undefined || f.interval !== this.interval) return;
        for (const bar of f.bars) if (bar.confirm) this.onClosedBar(seq, f.marketId, bar);
      }
    }
  }

  private onClosedBar(seq: KlineSequencer, id: string, bar: KlineBar): void {
    const tfMs = timeframeMs(this.opts.timeframe);
    const problem = bar.end !== bar.start + tfMs - 1
      ? `end ${bar.end} is not start ${bar.start} + ${tfMs} - 1`
      : candleProblem(bar.start, bar.open, bar.high, bar.low, bar.close, bar.volume, tfMs);
    if (problem !== undefined) {
      this.dropped(problem, { market: id }, `kline ${id}`);
      return;
    }
    seq.onLive({ ts: bar.start, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume });
  }
}

/** Convenience: a started feed as an async iterable. */
export function klineFeed(opts: KlineFeedOptions): BybitKlineFeed {
  return new BybitKlineFeed(opts);
}
