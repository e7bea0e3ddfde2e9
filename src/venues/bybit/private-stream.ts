/**
 * Bybit's authenticated private WebSocket (`wss://…/v5/private`) as a PrivateStream: auth, then
 * `order`, `execution`, `position`, `wallet`, each push turned into a PrivateStreamEvent of records.
 *
 * Connection policy (the public feed's, docs/exchange.md): a JSON `ping` every `pingIntervalMs`;
 * no frame at all for `stallTimeoutMs` = dead, terminated, reconnected; reconnects back off
 * (`reconnectBaseMs` doubling to `reconnectCapMs`, reset by a successful subscribe). `up` is
 * emitted when auth AND subscribe are acknowledged on a connection, `down` when a connection that
 * was up is lost (the caller polls REST meanwhile). Malformed frames and items are logged
 * CT_ERR_EXCHANGE_REPLY_INVALID and dropped whole.
 *
 * Refusals are final: a refused auth (bad key or signature: another try with the same keys gets
 * the same answer, and hammering a refused key risks a ban) emits `down` with a reason starting
 * "CT_ERR_EXCHANGE_AUTH", logs that code at error level and stops reconnecting; a refused subscribe
 * does the same with CT_ERR_EXCHANGE_REJECTED. The caller's REST calls fail the same way.
 *
 * Secrets: the auth frame (key, expiry, signature) is built and sent here and never logged; no
 * log line or event of this module contains the key, the secret or the signature.
 */
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import type { MarketType } from '../../domain/instrument.ts';
import { asArray, asObject, itemMarket, parseExecution, parseOrder, parsePosition, parseWalletAccount, type SymbolOf } from './private-replies.ts';
import type { InstrumentRules, PrivateStream, PrivateStreamEvent, WalletCoin } from './private-types.ts';
import { backoffDelay, type VenueLogger } from './retry.ts';
import { parseWsFrame } from './ws-frames.ts';

export interface PrivateStreamOptions {
  /** Full URL, e.g. wss://stream.bybit.com/v5/private (demo: wss://stream-demo.bybit.com/v5/private). */
  readonly url: string;
  readonly apiKey: string;
  readonly secret: string;
  /** The market the run trades; items of other categories are ignored. */
  readonly market: MarketType;
  /**
   * The instruments of the run (BybitPrivateApi.instruments), to name Bybit ids by unified symbol.
   * Items of other symbols (foreign trades elsewhere) are ignored here: REST reconciliation sees them.
   */
  readonly instruments: ReadonlyMap<string, InstrumentRules>;
  readonly pingIntervalMs: number;
  readonly stallTimeoutMs: number;
  /** Reconnect backoff: base doubles per failed connection up to cap. Default 500 / 30 000. */
  readonly reconnectBaseMs?: number;
  readonly reconnectCapMs?: number;
  /** How far in the future the auth signature expires (default 10 000 ms). */
  readonly authExpiryMs?: number;
  readonly logger: VenueLogger;
  readonly onEvent: (e: PrivateStreamEvent) => void;
}

const TOPICS = ['order', 'execution', 'position', 'wallet'] as const;

/** The auth op's signature: hex HMAC-SHA256(secret, "GET/realtime" + expires). */
export function wsAuthSignature(secret: string, expires: number): string {
  return createHmac('sha256', secret).update(`GET/realtime${expires}`).digest('hex');
}

class BybitPrivateStream implements PrivateStream {
  private ws: WebSocket | undefined;
  private connection = 0;
  private failures = 0;
  private isUp = false;
  private closed = false;
  private pingTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly ids = new Map<string, string>();
  private readonly symbolOf: SymbolOf;

  constructor(private readonly opts: PrivateStreamOptions) {
    for (const r of opts.instruments.values()) this.ids.set(r.id, r.symbol);
    this.symbolOf = (market, id) => (market === opts.market ? this.ids.get(id) : undefined);
    this.connect();
  }

  get up(): boolean {
    return this.isUp;
  }

  close(): void {
    this.closed = true;
    this.isUp = false;
    this.stopTimers();
    clearTimeout(this.reconnectTimer);
    this.ws?.terminate();
    this.ws = undefined;
  }

  private connect(): void {
    if (this.closed) return;
    const n = ++this.connection;
    const ws = new WebSocket(this.opts.url);
    this.ws = ws;
    ws.on('open', () => {
      this.watch(ws);
      const expires = Date.now() + (this.opts.authExpiryMs ?? 10_000);
      ws.send(JSON.stringify({ req_id: `auth-${n}`, op: 'auth', args: [this.opts.apiKey, expires, wsAuthSignature(this.opts.secret, expires)] }));
      this.pingTimer = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ req_id: `ping-${n}`, op: 'ping' }));
      }, this.opts.pingIntervalMs);
    });
    ws.on('message', (data) => {
      this.watch(ws);
      this.onFrame(ws, data.toString());
    });
    ws.on('error', (e) => {
      this.opts.logger.warn({ code: 'CT_ERR_EXCHANGE_UNAVAILABLE', connection: n }, `CT_ERR_EXCHANGE_UNAVAILABLE: bybit private stream ${this.opts.url}: ${e.message}`);
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.lost('connection closed');
      this.scheduleReconnect();
    });
  }

  /** (Re)arms the stall watchdog: any frame proves the connection alive. */
  private watch(ws: WebSocket): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      this.opts.logger.warn({ code: 'CT_ERR_EXCHANGE_UNAVAILABLE', stallTimeoutMs: this.opts.stallTimeoutMs },
        `CT_ERR_EXCHANGE_UNAVAILABLE: bybit private stream silent for ${this.opts.stallTimeoutMs} ms (no pong, no data); reconnecting`);
      ws.terminate();
    }, this.opts.stallTimeoutMs);
  }

  private stopTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.stallTimer);
    this.pingTimer = undefined;
    this.stallTimer = undefined;
  }

  private lost(reason: string): void {
    this.stopTimers();
    if (!this.isUp) return;
    this.isUp = false;
    this.opts.onEvent({ type: 'down', reason });
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = backoffDelay({ attempts: Infinity, baseMs: this.opts.reconnectBaseMs ?? 500, capMs: this.opts.reconnectCapMs ?? 30_000 }, this.failures++);
    this.opts.logger.warn({ code: 'CT_ERR_EXCHANGE_UNAVAILABLE', delayMs: delay }, `CT_ERR_EXCHANGE_UNAVAILABLE: bybit private stream ${this.opts.url} disconnected; reconnecting in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** A refusal no reconnect can fix: down, logged, and no more connections. */
  private refused(code: 'CT_ERR_EXCHANGE_AUTH' | 'CT_ERR_EXCHANGE_REJECTED', what: string): void {
    const reason = `${code}: bybit private stream ${this.opts.url}: ${what}`;
    this.opts.logger.error({ code }, reason);
    this.close();
    // Sent even when the stream was never up: the caller must know it will not come.
    this.opts.onEvent({ type: 'down', reason });
  }

  private dropped(reason: string): void {
    this.opts.logger.warn({ code: 'CT_ERR_EXCHANGE_REPLY_INVALID', reason }, `CT_ERR_EXCHANGE_REPLY_INVALID: bybit private stream frame dropped: ${reason}`);
  }

  private onFrame(ws: WebSocket, text: string): void {
    const f = parseWsFrame(text);
    if (f.kind === 'pong') return;
    if (f.kind === 'invalid') {
      this.dropped(`${f.reason}: ${f.text}`);
      return;
    }
    if (f.kind === 'ack') {
      if (f.op === 'auth') {
        if (!f.success) this.refused('CT_ERR_EXCHANGE_AUTH', `auth refused (${f.retMsg}): check the API key, its secret and the local clock`);
        else ws.send(JSON.stringify({ req_id: `sub-${this.connection}`, op: 'subscribe', args: TOPICS }));
      } else if (f.op === 'subscribe') {
        if (!f.success) {
          this.refused('CT_ERR_EXCHANGE_REJECTED', `subscribe to ${TOPICS.join(',')} refused: ${f.retMsg}`);
        } else if (!this.isUp) {
          this.failures = 0;
          this.isUp = true;
          this.opts.onEvent({ type: 'up' });
        }
      }
      return;
    }
    this.onTopic(JSON.parse(text) as Record<string, unknown>);
  }

  private onTopic(msg: Record<string, unknown>): void {
    const topic = msg['topic'];
    if (typeof topic !== 'string' || !(TOPICS as readonly string[]).includes(topic)) return;
    const where = `bybit private stream ${topic}`;
    let event: PrivateStreamEvent;
    try {
      event = this.parseTopic(topic as (typeof TOPICS)[number], asArray(msg['data'], where, 'data'), where);
    } catch (e) {
      this.dropped(e instanceof Error ? e.message : String(e));
      return;
    }
    const items = event.type === 'order' ? event.orders : event.type === 'execution' ? event.executions : event.type === 'position' ? event.positions : event.type === 'wallet' ? event.coins : [];
    if (items.length > 0) this.opts.onEvent(event);
  }

  private parseTopic(topic: (typeof TOPICS)[number], data: unknown[], where: string): PrivateStreamEvent {
    /** The items of our market and symbols, parsed; the others are skipped. */
    const ours = <T>(parse: (raw: unknown, m: MarketType) => T): T[] => {
      const out: T[] = [];
      for (const raw of data) {
        const o = asObject(raw, where, 'data[]');
        const m = itemMarket(o, where);
        if (m === this.opts.market && this.ids.has(String(o['symbol']))) out.push(parse(o, m));
      }
      return out;
    };
    switch (topic) {
      case 'order':
        return { type: 'order', orders: ours((o, m) => parseOrder(o, m, this.symbolOf, where)) };
      case 'execution':
        return { type: 'execution', executions: ours((o, m) => parseExecution(o, m, this.symbolOf, where)) };
      case 'position':
        // Flat entries are kept: a position going to 0 is news.
        return { type: 'position', positions: this.opts.market === 'linear' ? ours((o) => parsePosition(o, this.symbolOf, where)) : [] };
      case 'wallet': {
        const coins: WalletCoin[] = [];
        for (const raw of data) if (asObject(raw, where, 'data[]')['accountType'] === 'UNIFIED') coins.push(...parseWalletAccount(raw, where));
        return { type: 'wallet', coins };
      }
    }
  }
}

/** Connects at once; see the module comment for events, reconnects and refusals. */
export function openPrivateStream(opts: PrivateStreamOptions): PrivateStream {
  return new BybitPrivateStream(opts);
}
