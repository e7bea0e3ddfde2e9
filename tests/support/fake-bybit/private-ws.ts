/**
 * The fake's private WebSocket (`/v5/private`): the `auth` op (args [apiKey, expires, signature],
 * signature = hex HMAC-SHA256(secret, "GET/realtime" + expires), expires in the future on the wall
 * clock), ping/pong, subscribe to `order`, `execution`, `position`, `wallet`, and pushes of every
 * order change of the authenticated account, in Bybit's frame shape {id, topic, creationTime, data}.
 * The `skip_execution` fault loses the next execution message (the fill stays on REST).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createHmac } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AccountBook, FakeAccount, FakeExecution, FakeOrder } from './accounts.ts';
import type { FaultQueue } from './faults.ts';
import type { FakeMarketData } from './market-data.ts';
import { executionWire, orderWire, positionWire, walletWire } from './private-wire.ts';

export const PRIVATE_WS_PATH = '/v5/private';
const TOPICS = new Set(['order', 'execution', 'position', 'wallet']);

interface PConn {
  readonly connId: string;
  readonly ws: WebSocket;
  apiKey: string | undefined;
  readonly topics: Set<string>;
}

export class PrivateWsHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<PConn>();
  private nextId = 1;
  private frameSeq = 0;
  /** Frames sent, per connection id, for tests: topic and the ids inside. */
  readonly log: { conn: string; op: string; detail: string }[] = [];

  constructor(
    private readonly data: FakeMarketData,
    private readonly accounts: AccountBook,
    private readonly faults: FaultQueue,
    private readonly now: () => number,
    private readonly signNow: () => number,
  ) {
    accounts.onChange((acct, order, exec) => this.onChange(acct, order, exec));
  }

  get openConnections(): number {
    return this.conns.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: PConn = { connId: `fake-private-${this.nextId++}`, ws, apiKey: undefined, topics: new Set() };
      this.conns.add(conn);
      ws.on('message', (raw) => this.onMessage(conn, raw.toString()));
      ws.on('close', () => this.conns.delete(conn));
      ws.on('error', () => this.conns.delete(conn));
    });
  }

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

  private send(conn: PConn, body: Record<string, unknown>): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(body));
    this.log.push({ conn: conn.connId, op: String(body['op'] ?? body['topic']), detail: body['topic'] === undefined ? String(body['success'] ?? '') : JSON.stringify((body['data'] as unknown[]).length) });
  }

  private onMessage(conn: PConn, text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.send(conn, { success: false, ret_msg: 'error:invalid op', conn_id: conn.connId, op: '' });
      return;
    }
    const op = msg['op'];
    const reqId = msg['req_id'] === undefined ? {} : { req_id: String(msg['req_id']) };
    if (op === 'ping') {
      this.send(conn, { ...reqId, op: 'pong', args: [String(Date.now())], conn_id: conn.connId });
    } else if (op === 'auth') {
      const why = this.authError(msg['args']);
      if (why === undefined) conn.apiKey = (msg['args'] as string[])[0];
      this.send(conn, { ...reqId, success: why === undefined, ret_msg: why ?? '', op: 'auth', conn_id: conn.connId });
    } else if (op === 'subscribe') {
      const args = Array.isArray(msg['args']) ? (msg['args'] as unknown[]).map(String) : [];
      const bad = args.find((a) => !TOPICS.has(a));
      if (conn.apiKey === undefined || bad !== undefined) {
        this.send(conn, { ...reqId, success: false, ret_msg: conn.apiKey === undefined ? 'Request not authorized' : `Invalid topic: ${bad}`, op: 'subscribe', conn_id: conn.connId });
        return;
      }
      for (const a of args) conn.topics.add(a);
      this.send(conn, { ...reqId, success: true, ret_msg: '', op: 'subscribe', conn_id: conn.connId });
    } else {
      this.send(conn, { ...reqId, success: false, ret_msg: `error:invalid op ${String(op)}`, op: String(op ?? ''), conn_id: conn.connId });
    }
  }

  /** undefined when the auth args are valid, else Bybit-like reason text (exact texts unverified). */
  private authError(args: unknown): string | undefined {
    if (!Array.isArray(args) || args.length !== 3) return 'Params Error';
    const [apiKey, expires, sig] = args.map(String) as [string, string, string];
    const secret = this.accounts.secretOf(apiKey);
    if (secret === undefined) return 'error:invalid api key';
    if (!(Number(expires) > this.signNow())) return 'Params Error: expires is in the past';
    const want = createHmac('sha256', secret).update(`GET/realtime${expires}`).digest('hex');
    return want === sig.toLowerCase() ? undefined : 'error:signature verification failed';
  }

  private push(acct: FakeAccount, topic: string, data: unknown[]): void {
    for (const c of this.conns) {
      if (c.apiKey !== acct.apiKey || !c.topics.has(topic)) continue;
      this.send(c, { id: `fake-${++this.frameSeq}`, topic, creationTime: this.now(), data });
    }
  }

  private onChange(acct: FakeAccount, order: FakeOrder, exec: FakeExecution | undefined): void {
    this.push(acct, 'order', [{ category: order.category, ...orderWire(order) }]);
    if (exec !== undefined) {
      if (this.faults.takeWs(['skip_execution']) === undefined) {
        this.push(acct, 'execution', [{ category: exec.category, ...executionWire(exec, acct.executions.indexOf(exec) + 1) }]);
      }
      if (exec.category === 'linear') {
        this.push(acct, 'position', [{ category: 'linear', ...positionWire(acct.positions.get(exec.symbol), exec.symbol, this.data.lastPrice('linear', exec.symbol, this.now())) }]);
      }
      const wallet = walletWire(acct, undefined, (s) => this.data.lastPrice('linear', s, this.now())) as { list: unknown[] };
      this.push(acct, 'wallet', wallet.list);
    }
  }
}
