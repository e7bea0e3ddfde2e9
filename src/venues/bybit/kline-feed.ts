/**
 * Live closed-candle feed from Bybit's public WebSocket, for forward and live mode.
 *
 * Contract: an async iterable of `{symbol, candle}` where every candle is CLOSED (`confirm:true`),
 * strictly increasing in ts per symbol (duplicates and out-of-order candles are dropped), and,
 * across reconnects, gap-free as far as the exchange has data: after every (re)subscribe the feed
 * backfills closed candles it missed over REST before passing on new WS candles.
 *
 * Connection policy (docs/exchange.md): ping every `pingIntervalMs` (Bybit recommends 20 s); if no
 * frame at all (pong or data) arrives for `deadAfterMs`, the connection is dead and is terminated;
 * reconnects use capped exponential backoff reset by a successful subscribe. Malformed frames are
 * logged with CT_ERR_EXCHANGE_REPLY_INVALID and dropped; a refused subscription (bad symbol/topic)
 * ends the iteration with CT_ERR_EXCHANGE_REJECTED, since retrying cannot fix configuration.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { CtError } from '../../core/errors.ts';
import { bybitInterval, timeframeMs, type Timeframe } from '../../core/timeframe.ts';
import type { Candle } from '../../domain/candle.ts';
import { marketId, type MarketType } from '../../domain/instrument.ts';
import { candleProblem } from '../../domain/candle-validation.ts';
import { createBybitClient, type BybitClient } from './ccxt-client.ts';
import { fetchClosedKlines, KLINE_PAGE_LIMIT, resolveMarket } from './rest-klines.ts';
import { DEFAULT_RETRY_POLICY, SILENT_LOGGER, withRetry, type RetryPolicy, type VenueLogger } from './retry.ts';
import { parseWsFrame, type KlineBar } from './ws-frames.ts';

export interface ClosedKline {
  /** ccxt unified symbol, as given in the options. */
  readonly symbol: string;
  readonly candle: Candle;
}

export type FeedEvent =
  | { type: 'connected'; connection: number }
  | { type: 'subscribed'; connection: number }
  | { type: 'dead'; connection: number; silentMs: number }
  | { type: 'disconnected'; connection: number }
  | { type: 'reconnect_scheduled'; delayMs: number }
  | { type: 'backfilled'; symbol: string; candles: number }
  | { type: 'dropped_frame'; reason: string }
  | { type: 'duplicate'; symbol: string; ts: number }
  | { type: 'out_of_order'; symbol: string; ts: number; lastTs: number };

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
  /** Default 20 000. */
  readonly pingIntervalMs?: number;
  /** No frame for this long = dead connection. Default 2.5 x pingIntervalMs. */
  readonly deadAfterMs?: number;
  /** Reconnect backoff: base doubles per consecutive failure up to cap. Default 500 / 30 000. */
  readonly reconnectBaseMs?: number;
  readonly reconnectCapMs?: number;
  /** Backoff for REST backfill calls. */
  readonly retry?: Partial<RetryPolicy>;
  readonly logger?: VenueLogger;
  readonly onEvent?: (e: FeedEvent) => void;
}

interface SymbolState {
  readonly symbol: string;
  lastTs: number;
  backfilling: boolean;
  buffer: Candle[];
}

export class BybitKlineFeed implements AsyncIterable<ClosedKline> {
  private readonly tfMs: number;
  private readonly interval: string;
  private readonly byId = new Map<string, SymbolState>();
  private readonly queue: ClosedKline[] = [];
  private waiter: { resolve: (r: IteratorResult<ClosedKline>) => void; reject: (e: unknown) => void } | undefined;
  private failure: unknown;
  private closed = false;
  private started = false;
  private ws: WebSocket | undefined;
  private connection = 0;
  private attempt = 0;
  private lastRx = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingSeq = 0;
  private client: BybitClient | undefined;
  private readonly logger: VenueLogger;
  private readonly pingMs: number;
  private readonly deadMs: number;

  constructor(private readonly opts: KlineFeedOptions) {
    this.tfMs = timeframeMs(opts.timeframe);
    this.interval = bybitInterval(opts.timeframe);
    this.logger = opts.logger ?? SILENT_LOGGER;
    this.pingMs = opts.pingIntervalMs ?? 20_000;
    this.deadMs = opts.deadAfterMs ?? this.pingMs * 2.5;
    for (const s of opts.symbols) {
      this.byId.set(marketId(s), { symbol: s, lastTs: opts.lastClosedTs?.[s] ?? -Infinity, backfilling: false, buffer: [] });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ClosedKline> {
    if (!this.started) {
      this.started = true;
      this.connect();
    }
    return {
      next: () => this.next(),
      return: async () => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** Stops the feed: closes the socket, cancels timers, ends the iteration. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    clearTimeout(this.reconnectTimer);
    this.ws?.terminate();
    this.ws = undefined;
    this.waiter?.resolve({ done: true, value: undefined });
    this.waiter = undefined;
  }

  private next(): Promise<IteratorResult<ClosedKline>> {
    const item = this.queue.shift();
    if (item !== undefined) return Promise.resolve({ done: false, value: item });
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private push(item: ClosedKline): void {
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

  private connect(): void {
    if (this.closed) return;
    const n = ++this.connection;
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.on('open', () => {
      this.event({ type: 'connected', connection: n });
      this.lastRx = performance.now();
      const args = [...this.byId.keys()].map((id) => `kline.${this.interval}.${id}`);
      ws.send(JSON.stringify({ op: 'subscribe', req_id: `sub-${n}`, args }));
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
    this.event({ type: 'reconnect_scheduled', delayMs: delay });
    this.logger.warn({ code: 'CT_ERR_EXCHANGE_UNAVAILABLE', delayMs: delay }, `CT_ERR_EXCHANGE_UNAVAILABLE: bybit ws ${this.url()} disconnected; reconnecting in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private startTimers(ws: WebSocket, n: number): void {
    this.stopTimers();
    // One timer does both jobs: send the ping, then check liveness at a finer grain than the ping.
    const tick = Math.max(5, Math.min(this.pingMs, this.deadMs) / 2);
    let sincePing = 0;
    this.pingTimer = setInterval(() => {
      const silent = performance.now() - this.lastRx;
      if (silent > this.deadMs) {
        this.event({ type: 'dead', connection: n, silentMs: Math.round(silent) });
        this.logger.warn({ code: 'CT_ERR_EXCHANGE_UNAVAILABLE', silentMs: Math.round(silent) }, `CT_ERR_EXCHANGE_UNAVAILABLE: bybit ws silent for ${Math.round(silent)} ms (no pong, no data); reconnecting`);
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

  private onFrame(text: string, n: number): void {
    const f = parseWsFrame(text);
    switch (f.kind) {
      case 'pong':
      case 'unknown':
        return;
      case 'invalid':
        this.event({ type: 'dropped_frame', reason: f.reason });
        this.logger.warn({ code: 'CT_ERR_EXCHANGE_REPLY_INVALID', reason: f.reason, frame: f.text }, `CT_ERR_EXCHANGE_REPLY_INVALID: bybit ws frame dropped: ${f.reason}`);
        return;
      case 'ack':
        if (f.op !== 'subscribe') return;
        if (!f.success) {
          this.fail(new CtError('CT_ERR_EXCHANGE_REJECTED', `bybit ws ${this.url()}: subscribe to ${[...this.byId.keys()].map((id) => `kline.${this.interval}.${id}`).join(',')} refused: ${f.retMsg}`, {
            details: { retMsg: f.retMsg },
          }));
          return;
        }
        this.attempt = 0;
        this.event({ type: 'subscribed', connection: n });
        for (const st of this.byId.values()) {
          if (Number.isFinite(st.lastTs)) void this.backfill(st);
        }
        return;
      case 'kline': {
        const st = this.byId.get(f.marketId);
        if (st === undefined || f.interval !== this.interval) return;
        for (const bar of f.bars) if (bar.confirm) this.onClosedBar(st, bar);
      }
    }
  }

  private onClosedBar(st: SymbolState, bar: KlineBar): void {
    const problem = bar.end !== bar.start + this.tfMs - 1
      ? `end ${bar.end} is not start ${bar.start} + ${this.tfMs} - 1`
      : candleProblem(bar.start, bar.open, bar.high, bar.low, bar.close, bar.volume, this.tfMs);
    if (problem !== undefined) {
      this.event({ type: 'dropped_frame', reason: problem });
      this.logger.warn({ code: 'CT_ERR_EXCHANGE_REPLY_INVALID', symbol: st.symbol, reason: problem }, `CT_ERR_EXCHANGE_REPLY_INVALID: bybit ws kline ${st.symbol} dropped: ${problem}`);
      return;
    }
    const candle: Candle = { ts: bar.start, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
    if (st.backfilling) st.buffer.push(candle);
    else this.emit(st, candle);
  }

  private emit(st: SymbolState, candle: Candle): void {
    if (candle.ts === st.lastTs) {
      this.event({ type: 'duplicate', symbol: st.symbol, ts: candle.ts });
      return;
    }
    if (candle.ts < st.lastTs) {
      this.event({ type: 'out_of_order', symbol: st.symbol, ts: candle.ts, lastTs: st.lastTs });
      return;
    }
    st.lastTs = candle.ts;
    this.push({ symbol: st.symbol, candle });
  }

  /** REST backfill of closed candles after `st.lastTs`; WS candles arriving meanwhile wait in `buffer`. */
  private async backfill(st: SymbolState): Promise<void> {
    if (st.backfilling) return;
    st.backfilling = true;
    let count = 0;
    try {
      this.client ??= this.opts.client ?? createBybitClient({ restUrl: this.opts.restUrl, market: this.opts.market });
      const client = this.client;
      const retry = { ...DEFAULT_RETRY_POLICY, ...(this.opts.retry ?? {}) };
      const market = await withRetry(() => resolveMarket(client, st.symbol), `bybit markets for ${st.symbol}`, retry, this.logger);
      let cursor = st.lastTs + this.tfMs;
      for (;;) {
        if (this.closed) return;
        const start = cursor;
        const end = start + (KLINE_PAGE_LIMIT - 1) * this.tfMs;
        const page = await withRetry(() => fetchClosedKlines(client, market, this.opts.timeframe, start, end), `bybit backfill ${st.symbol} ${this.opts.timeframe}`, retry, this.logger);
        for (let i = 0; i < page.cols.length; i++) {
          const c = page.cols;
          const problem = candleProblem(c.ts[i]!, c.open[i]!, c.high[i]!, c.low[i]!, c.close[i]!, c.volume[i]!, this.tfMs);
          if (problem !== undefined || c.ts[i]! <= st.lastTs) continue;
          this.emit(st, { ts: c.ts[i]!, open: c.open[i]!, high: c.high[i]!, low: c.low[i]!, close: c.close[i]!, volume: c.volume[i]! });
          count++;
        }
        if (page.droppedForming > 0 || page.serverTime <= end + this.tfMs || page.rawCount === 0) break;
        cursor = end + this.tfMs;
      }
    } catch (e) {
      const err = e instanceof CtError ? e : new CtError('CT_ERR_EXCHANGE_UNAVAILABLE', `bybit backfill ${st.symbol}: ${String(e)}`, { cause: e });
      // The feed goes on with live candles; the hole is reported, not invented away.
      this.logger.error({ code: err.code, symbol: st.symbol }, `${err.code}: bybit backfill ${st.symbol} after ${st.lastTs} failed, candles may be missing: ${err.message}`);
    } finally {
      st.backfilling = false;
      const buffered = st.buffer;
      st.buffer = [];
      for (const c of buffered) this.emit(st, c);
      this.event({ type: 'backfilled', symbol: st.symbol, candles: count });
    }
  }
}

/** Convenience: a started feed as an async iterable. */
export function klineFeed(opts: KlineFeedOptions): BybitKlineFeed {
  return new BybitKlineFeed(opts);
}
