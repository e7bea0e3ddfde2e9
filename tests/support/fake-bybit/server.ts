/**
 * A fake Bybit v5 exchange on 127.0.0.1 (REST + public WebSocket on one port) for offline tests and
 * for running the daemon by hand (`npm run fake-bybit`). It is a real HTTP server with real sockets;
 * tests drive it through this programmatic API: add data, move its clock, inject faults, read the
 * request log. The same faults, clock moves and candle lists are reachable over HTTP under
 * `/__admin/` (admin.ts), for a daemon or an operator outside this process. See docs/exchange.md.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import { FakeMarketData, BYBIT_INTERVAL_MS, type FakeCategory, type FundingSeries } from './market-data.ts';
import { FaultQueue } from './faults.ts';
import { handleRest, type RecordedRequest } from './rest.ts';
import { ADMIN_PREFIX, handleAdmin, type AdminTarget } from './admin.ts';
import { WsHub, type TopicCandles, type WsLogEntry } from './ws-hub.ts';
import { AccountBook, DEFAULT_LEVERAGE, type AccountSpec, type FakeAccount } from './accounts.ts';
import { RateLimits } from './rate-limits.ts';
import { accountView, type AccountView } from './account-view.ts';
import { runTriggers } from './triggers.ts';
import { PRIVATE_WS_PATH, PrivateWsHub } from './private-ws.ts';

export interface FakeBybitOptions {
  /** 0 (default) = an ephemeral port; read `server.port` after `start()`. */
  readonly port?: number;
  /** Initial fake time in ms (default 0; set it, or call `setNow`, before serving data). */
  readonly now?: number;
  /** Interval codes served; any other valid Bybit code gets retCode 10001 (default: all). */
  readonly intervals?: readonly string[];
  /** Accounts of the private API (API key, secret, balances); more via `addAccount` or the admin endpoint. */
  readonly accounts?: readonly AccountSpec[];
  /** Taker fee rate of accounts that do not set their own (default 0.001). */
  readonly takerFee?: number;
  /**
   * The clock X-BAPI-TIMESTAMP is checked against (default the wall clock, which clients sign with;
   * the fake clock only drives candles, fills and order times).
   */
  readonly signClock?: () => number;
  /**
   * Per-second limits of private paths, e.g. `{ '/v5/order/create': 5 }` (every category); the rest
   * keep Bybit's own table (rate-limits.ts). Windows run on the signing clock.
   */
  readonly rateLimits?: Readonly<Record<string, number>>;
  /**
   * A server clock off ours: /v5/market/time reports the wall clock + this many ms instead of the
   * fake clock (what a client's clock check measures). Signatures are still checked on `signClock`.
   * Also `setClockSkew` and `POST /__admin/clock {"skew_ms": n}` (null clears it).
   */
  readonly timeOffsetMs?: number;
}

export class FakeBybitServer implements AdminTarget {
  readonly data = new FakeMarketData();
  readonly faults = new FaultQueue();
  readonly accounts: AccountBook;
  readonly limits: RateLimits;
  /** Every REST request in arrival order (path + parsed query + raw url). */
  readonly requests: RecordedRequest[] = [];
  private readonly http: Server;
  private readonly hub: WsHub;
  private readonly privateHub: PrivateWsHub;
  private nowMs: number;
  private replayTimer: NodeJS.Timeout | undefined;
  private replaySpeed = 0;
  private boundPort = 0;
  private skewMs: number | undefined;

  constructor(private readonly options: FakeBybitOptions = {}) {
    this.nowMs = options.now ?? 0;
    this.skewMs = options.timeOffsetMs;
    const intervals = new Set(options.intervals ?? Object.keys(BYBIT_INTERVAL_MS));
    this.hub = new WsHub(this.data, this.faults, () => this.nowMs);
    this.accounts = new AccountBook(options.takerFee);
    for (const a of options.accounts ?? []) this.accounts.add(a);
    const signNow = options.signClock ?? ((): number => Date.now());
    this.limits = new RateLimits(options.rateLimits);
    this.privateHub = new PrivateWsHub(this.data, this.accounts, this.faults, () => this.nowMs, signNow);
    const serverTime = (): number | undefined => (this.skewMs === undefined ? undefined : Date.now() + this.skewMs);
    const ctx = { data: this.data, faults: this.faults, now: () => this.nowMs, intervals, requests: this.requests, accounts: this.accounts, signNow, limits: this.limits, serverTime };
    this.http = createServer((req, res) => {
      if (!handleAdmin(this, req, res)) handleRest(ctx, req, res);
    });
    this.http.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname === PRIVATE_WS_PATH) this.privateHub.handleUpgrade(req, socket, head);
      else this.hub.handleUpgrade(req, socket, head);
    });
    // Keep-alive sockets would hold close() open for seconds.
    this.http.keepAliveTimeout = 1000;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.boundPort = (this.http.address() as AddressInfo).port;
    return this;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Base for ccxt `urls.api.public` and `exchange.rest_url`. */
  get restUrl(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  /** The admin endpoint (faults, clock, closed/pushed candles) on the same port. */
  get adminUrl(): string {
    return `http://127.0.0.1:${this.boundPort}${ADMIN_PREFIX}`;
  }

  /** Base for `exchange.ws_url`; the feed appends `/v5/public/{spot|linear}`. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.boundPort}`;
  }

  get ws(): { readonly log: readonly WsLogEntry[]; readonly connectionsAccepted: number; readonly openConnections: number } {
    return this.hub;
  }

  /** Per topic ever subscribed: the candles that closed since, and the confirmed ones pushed. */
  topicCandles(): readonly TopicCandles[] {
    return this.hub.topicCandles();
  }

  /** REST requests to one path (e.g. '/v5/market/kline'). */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  addCandles(category: FakeCategory, symbol: string, intervalMs: number, cols: CandleColumns): this {
    this.data.addCandles(category, symbol, intervalMs, cols);
    return this;
  }

  addFunding(symbol: string, series: FundingSeries): this {
    this.data.addFunding(symbol, series);
    return this;
  }

  now(): number {
    return this.nowMs;
  }

  /** Opens an account of the private API. */
  addAccount(spec: AccountSpec): FakeAccount {
    return this.accounts.add(spec);
  }

  /** An account's orders, executions, positions and balances as plain data (never its secret). */
  account(apiKey: string): AccountView | undefined {
    const a = this.accounts.get(apiKey);
    return a === undefined ? undefined : accountView(a);
  }

  accountKeys(): string[] {
    return this.accounts.keys();
  }

  /** Sets one private path's limit per second (every category), e.g. setRateLimit('/v5/order/create', 5). */
  setRateLimit(path: string, perSecond: number): void {
    this.limits.set(path, perSecond);
  }

  rateLimitTable(): Record<string, { linear: number; spot: number }> {
    return this.limits.table();
  }

  /** Sets a coin balance of an account outright (as a deposit or withdrawal made elsewhere would). */
  setBalance(apiKey: string, coin: string, amount: number): void {
    const a = this.accounts.get(apiKey);
    if (a === undefined) throw new Error(`fake-bybit: no account ${apiKey}`);
    if (coin === '' || !Number.isFinite(amount) || amount < 0) throw new Error(`fake-bybit: balance must be a coin and an amount >= 0, not ${coin}=${amount}`);
    a.setBalance(coin, amount);
  }

  /**
   * Opens (or adds to) a linear position at the served price without an order or execution: one the
   * account's owner opened on the website, which a daemon must find as foreign. No fee is charged.
   */
  openForeignPosition(apiKey: string, spec: { category: string; symbol: string; side: string; qty: number }): void {
    const a = this.accounts.get(apiKey);
    if (a === undefined) throw new Error(`fake-bybit: no account ${apiKey}`);
    if (spec.category !== 'linear') throw new Error(`fake-bybit: positions exist on linear only, not ${JSON.stringify(spec.category)}`);
    if (spec.side !== 'Buy' && spec.side !== 'Sell') throw new Error(`fake-bybit: side must be Buy or Sell, not ${JSON.stringify(spec.side)}`);
    if (!(Number.isFinite(spec.qty) && spec.qty > 0)) throw new Error(`fake-bybit: qty must be a number > 0, not ${JSON.stringify(spec.qty)}`);
    const price = this.data.lastPrice('linear', spec.symbol, this.nowMs);
    if (price === undefined) throw new Error(`fake-bybit: no served linear price of ${spec.symbol} at ${new Date(this.nowMs).toISOString()}`);
    a.openForeignPosition(spec.symbol, spec.side, spec.qty, price, DEFAULT_LEVERAGE, this.nowMs);
  }

  /** /v5/market/time reports the wall clock + `ms` from now on; undefined = the fake clock again. */
  setClockSkew(ms: number | undefined): void {
    this.skewMs = ms;
  }

  get clockSkewMs(): number | undefined {
    return this.skewMs;
  }

  /** Moves the fake clock (forward pushes closed candles over WS; backward just resets time). */
  setNow(t: number): void {
    const t0 = this.nowMs;
    this.nowMs = t;
    // Triggers first: a TP/SL close or a conditional fill is on the books by the time a client sees the candle that hit it.
    runTriggers(this.data, this.accounts, t0, t);
    this.hub.onClockMoved(t0, t);
  }

  advance(ms: number): void {
    this.setNow(this.nowMs + ms);
  }

  /** Replays time at `speed` x real time, ticking every `tickMs` real ms, until `stopReplay()`. */
  startReplay(speed: number, tickMs = 100): void {
    this.stopReplay();
    this.replaySpeed = speed;
    this.replayTimer = setInterval(() => this.advance(tickMs * speed), tickMs);
  }

  stopReplay(): void {
    if (this.replayTimer !== undefined) clearInterval(this.replayTimer);
    this.replayTimer = undefined;
    this.replaySpeed = 0;
  }

  /** The replay speed (0 = the clock only moves when told to). */
  get speed(): number {
    return this.replaySpeed;
  }

  /** Terminates every WebSocket connection now (a network cut); returns how many there were. */
  dropWsConnections(): number {
    return this.hub.dropAll() + this.privateHub.dropAll();
  }

  /** Frames the private WebSocket sent (auth/subscribe answers and topic pushes). */
  get privateWsLog(): readonly { conn: string; op: string; detail: string }[] {
    return this.privateHub.log;
  }

  async close(): Promise<void> {
    this.stopReplay();
    await this.hub.close();
    await this.privateHub.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/** Starts a fake Bybit on 127.0.0.1 (port 0 = ephemeral). */
export async function startFakeBybit(options: FakeBybitOptions = {}): Promise<FakeBybitServer> {
  return new FakeBybitServer(options).start();
}
