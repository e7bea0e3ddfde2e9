/**
 * Public WebSocket side of the fake Bybit v5 (`/v5/public/spot`, `/v5/public/linear`): subscribe
 * acks, ping/pong, and `kline.{interval}.{SYMBOL}` pushes driven by the fake clock. When the clock
 * moves from t0 to t1, every candle that CLOSED in (t0, t1] is pushed with `confirm:true` (ascending),
 * then the candle forming at t1 is pushed with `confirm:false` (bybit-v5.md §2.3).
 *
 * It also keeps, per topic, the candles that CLOSED since the topic was first subscribed (whether
 * or not any connection was up to receive them) and the confirmed ones it actually sent: the
 * admin endpoint lists both, so a test can check a client got every candle the exchange closed.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { BYBIT_INTERVAL_MS, lowerBound, num, type FakeMarketData } from './market-data.ts';
import type { FaultQueue, WsFaultKind } from './faults.ts';

export interface WsLogEntry {
  readonly conn: number;
  readonly op: string;
  readonly args: readonly string[];
}

interface Conn {
  readonly id: number;
  readonly connId: string;
  readonly category: 'spot' | 'linear';
  readonly ws: WebSocket;
  readonly topics: Set<string>;
  /** A stalled connection stays open but answers nothing and pushes nothing (a hung peer). */
  stalled: boolean;
}

const PUSH_FAULTS: readonly WsFaultKind[] = ['drop_connection', 'stall_heartbeat', 'garbage_frame', 'duplicate_candle', 'out_of_order_candle', 'skip_push'];

/** What one topic's series did while the fake clock ran: candle open times, ascending. */
export interface TopicCandles {
  readonly category: 'spot' | 'linear';
  readonly symbol: string;
  readonly interval: string;
  /** Candles that closed on the fake clock since the topic was first subscribed. */
  readonly closed: number[];
  /** Closed candles sent with confirm:true to at least one connection (skipped pushes are missing here). */
  readonly pushed: number[];
}

interface TopicRecord extends TopicCandles {
  readonly pushedSet: Set<number>;
}
const TOPIC_RE = /^kline\.([0-9A-Z]+)\.([A-Z0-9]+)$/;

export class WsHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private nextId = 1;
  private readonly topicsSeen = new Map<string, TopicRecord>();
  readonly log: WsLogEntry[] = [];

  constructor(
    private readonly data: FakeMarketData,
    private readonly faults: FaultQueue,
    private readonly now: () => number,
  ) {}

  /** Total connections accepted so far (reconnect tests count them). */
  get connectionsAccepted(): number {
    return this.nextId - 1;
  }

  get openConnections(): number {
    return this.conns.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const category = path === '/v5/public/spot' ? 'spot' : path === '/v5/public/linear' ? 'linear' : undefined;
    if (category === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const id = this.nextId++;
      const conn: Conn = { id, connId: `fake-${category}-${id}`, category, ws, topics: new Set(), stalled: false };
      this.conns.add(conn);
      this.log.push({ conn: id, op: 'connect', args: [category] });
      ws.on('message', (raw) => this.onMessage(conn, raw.toString()));
      ws.on('close', () => this.conns.delete(conn));
      ws.on('error', () => this.conns.delete(conn));
    });
  }

  /** Closes every connection abruptly (like a network cut: no close frame). */
  dropAll(): number {
    const n = this.conns.size;
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
    return n;
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  /** Closed and pushed candles per topic ever subscribed, in subscription order. */
  topicCandles(): readonly TopicCandles[] {
    return [...this.topicsSeen.values()].map(({ category, symbol, interval, closed, pushed }) => ({ category, symbol, interval, closed: [...closed], pushed: [...pushed].sort((a, b) => a - b) }));
  }

  /** Pushes what happened between t0 (exclusive) and t1 (inclusive) to every subscriber. */
  onClockMoved(t0: number, t1: number): void {
    if (t1 <= t0) return;
    for (const rec of this.topicsSeen.values()) {
      const intervalMs = BYBIT_INTERVAL_MS[rec.interval]!;
      const cols = intervalMs > 0 ? this.data.series(rec.category, rec.symbol, intervalMs) : undefined;
      if (cols === undefined) continue;
      const lo = lowerBound(cols.ts, cols.length, t0 - intervalMs + 1);
      const hi = lowerBound(cols.ts, cols.length, t1 - intervalMs + 1);
      for (let i = lo; i < hi; i++) rec.closed.push(cols.ts[i]!);
    }
    for (const conn of [...this.conns]) {
      for (const topic of [...conn.topics]) {
        if (!this.conns.has(conn)) break;
        this.pushTopic(conn, topic, t0, t1);
      }
    }
  }

  private send(conn: Conn, body: unknown): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(typeof body === 'string' ? body : JSON.stringify(body));
  }

  private onMessage(conn: Conn, text: string): void {
    if (conn.stalled) return;
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      msg = parsed as Record<string, unknown>;
    } catch (e) {
      this.send(conn, { success: false, ret_msg: `Failed to decode incoming data: ${(e as Error).message}`, conn_id: conn.connId, req_id: '', op: '' });
      return;
    }
    const op = typeof msg['op'] === 'string' ? msg['op'] : '';
    const reqId = msg['req_id'] === undefined ? '' : String(msg['req_id']);
    const args = Array.isArray(msg['args']) ? msg['args'].map(String) : [];
    this.log.push({ conn: conn.id, op, args });
    if (op === 'ping') {
      const pong: Record<string, unknown> = { success: true, ret_msg: 'pong', conn_id: conn.connId, op: 'ping' };
      if (conn.category === 'linear') pong['req_id'] = reqId;
      this.send(conn, pong);
      return;
    }
    if (op === 'subscribe' || op === 'unsubscribe') {
      let failure: string | undefined;
      for (const topic of args) {
        const m = TOPIC_RE.exec(topic);
        if (m === null) {
          failure ??= `error:handler not found,topic:${topic}`;
          continue;
        }
        if (BYBIT_INTERVAL_MS[m[1]!] === undefined || !this.data.hasSymbol(conn.category, m[2]!)) {
          failure ??= `Invalid symbol :[${topic}]`;
          continue;
        }
        if (op === 'subscribe') {
          conn.topics.add(topic);
          const key = `${conn.category}|${topic}`;
          if (!this.topicsSeen.has(key)) this.topicsSeen.set(key, { category: conn.category, symbol: m[2]!, interval: m[1]!, closed: [], pushed: [], pushedSet: new Set() });
        } else conn.topics.delete(topic);
      }
      const retMsg = failure ?? (conn.category === 'spot' ? 'subscribe' : '');
      this.send(conn, { success: failure === undefined, ret_msg: retMsg, conn_id: conn.connId, req_id: reqId, op });
      return;
    }
    this.send(conn, { success: false, ret_msg: 'Params Error', conn_id: conn.connId, req_id: reqId, op });
  }

  private klineFrame(topic: string, interval: string, intervalMs: number, cols: { ts: Float64Array; open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array }, i: number, confirm: boolean, now: number): unknown {
    const start = cols.ts[i]!;
    return {
      topic,
      data: [{
        start, end: start + intervalMs - 1, interval,
        open: num(cols.open[i]!), close: num(cols.close[i]!), high: num(cols.high[i]!), low: num(cols.low[i]!),
        volume: num(cols.volume[i]!), turnover: num(cols.volume[i]! * cols.close[i]!),
        confirm, timestamp: confirm ? start + intervalMs - 1 : now,
      }],
      ts: now,
      type: 'snapshot',
    };
  }

  private pushTopic(conn: Conn, topic: string, t0: number, t1: number): void {
    const m = TOPIC_RE.exec(topic)!;
    const interval = m[1]!;
    const intervalMs = BYBIT_INTERVAL_MS[interval]!;
    const cols = intervalMs > 0 ? this.data.series(conn.category, m[2]!, intervalMs) : undefined;
    if (cols === undefined) return;
    // Candles closing in (t0, t1]: close time ts + iv in (t0, t1]  <=>  ts in (t0 - iv, t1 - iv].
    const lo = lowerBound(cols.ts, cols.length, t0 - intervalMs + 1);
    const hi = lowerBound(cols.ts, cols.length, t1 - intervalMs + 1);
    const rec = this.topicsSeen.get(`${conn.category}|${topic}`);
    for (let i = lo; i < hi; i++) {
      if (conn.stalled || !this.conns.has(conn)) return;
      const fault = this.faults.takeWs(PUSH_FAULTS);
      // The connection stays up and healthy; this one push just never happens.
      if (fault === 'skip_push') continue;
      const frame = this.klineFrame(topic, interval, intervalMs, cols, i, true, cols.ts[i]! + intervalMs);
      if (fault === 'drop_connection') {
        conn.ws.terminate();
        this.conns.delete(conn);
        return;
      }
      if (fault === 'stall_heartbeat') {
        conn.stalled = true;
        return;
      }
      if (fault === 'garbage_frame') {
        this.send(conn, '\u0000\u00ffnot json{');
        this.send(conn, { topic, type: 'snapshot', ts: t1, data: [{ start: 'soon', open: 'abc', high: '1', low: '2', close: null, volume: '-1', confirm: true }] });
      }
      this.send(conn, frame);
      if (rec !== undefined && !rec.pushedSet.has(cols.ts[i]!)) {
        rec.pushedSet.add(cols.ts[i]!);
        rec.pushed.push(cols.ts[i]!);
      }
      if (fault === 'duplicate_candle') this.send(conn, frame);
      if (fault === 'out_of_order_candle' && i > 0) {
        this.send(conn, this.klineFrame(topic, interval, intervalMs, cols, i - 1, true, t1));
      }
    }
    // The forming candle at t1, if the series has it.
    const f = lowerBound(cols.ts, cols.length, Math.floor(t1 / intervalMs) * intervalMs);
    if (f < cols.length && cols.ts[f]! <= t1 && cols.ts[f]! + intervalMs > t1 && !conn.stalled && this.conns.has(conn)) {
      this.send(conn, this.klineFrame(topic, interval, intervalMs, cols, f, false, t1));
    }
  }
}
