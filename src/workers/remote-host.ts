/**
 * The out-of-process host (process or worker isolation): spawns a guest, does the `init`/`ready`
 * handshake, sends requests with correlation ids, watches heartbeats, and turns every way a guest
 * can fail into one CtError that rejects the pending requests:
 *
 *  - a handler threw        -> the guest replies ok:false (CT_ERR_STRATEGY_THREW); the guest and
 *                              this host stay usable (the supervisor decides whether to restart);
 *  - heartbeats stop        -> CT_ERR_STRATEGY_TIMEOUT, the guest is killed;
 *  - a request outlives its deadline -> CT_ERR_STRATEGY_TIMEOUT, the guest is killed;
 *  - the guest exits        -> CT_ERR_STRATEGY_DIED with the exit code/signal and the error its stderr names;
 *  - the guest hit its memory cap (V8 heap limit, the watchdog's resident-memory limit, a worker's
 *                              resourceLimits) -> CT_ERR_STRATEGY_MEMORY naming the cap;
 *  - a message breaks the protocol -> CT_ERR_PROTOCOL, the guest is killed.
 *
 * After a failure the host is dead for good (every call rejects with the same error); restarting
 * means creating a new host, which is SupervisedStrategyHost's job.
 */
import { performance } from 'node:perf_hooks';
import { CtError, type ErrorCode } from '../core/errors.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import { scrub, scrubDeep } from '../observability/scrub.ts';
import type { StrategySpec } from '../strategies/strategy-spec.ts';
import { spawnGuest, type GuestChannel } from './guest-channel.ts';
import { PROTOCOL_VERSION, fromWireError, parseGuestMessage, parseSignals, type GuestMessage, type HostMessage } from './protocol.ts';
import type { HostReady, ResolvedHostOptions, StopReport, StrategyHost } from './strategy-host.ts';

type State = 'new' | 'starting' | 'ready' | 'stopping' | 'stopped' | 'failed';

interface Pending {
  readonly type: HostMessage['type'];
  resolve(value: unknown): void;
  reject(err: CtError): void;
  timer: NodeJS.Timeout | undefined;
}

const STDERR_KEEP = 40;

/**
 * What a dead guest's stderr says went wrong. Node prints an uncaught error as a code frame, the
 * `Error: message` line, the stack and a `Node.js vX` banner; the last lines alone are stack and
 * banner, which tell an operator nothing. So: the last line that names an error, else the last line
 * that is neither stack, code-frame marker nor banner.
 */
export function guestErrorLine(lines: readonly string[]): string | undefined {
  const useful = lines.filter((l) => l.trim() !== '' && !/^\s+at /.test(l) && !/^\s*\^+\s*$/.test(l) && !/^Node\.js v\d/.test(l));
  return [...useful].reverse().find((l) => /\b[A-Za-z]*Error\b|^Uncaught\b|\[ERR_[A-Z_]+\]/.test(l)) ?? useful.at(-1);
}

/**
 * Whether a guest ended at its memory cap: V8's heap-limit abort (process), the watchdog's line
 * (guest-preload.mjs, resident memory of a process) or a worker thread's resourceLimits error.
 */
export function outOfMemory(stderr: readonly string[], error?: Error): boolean {
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') return true;
  return stderr.some((l) => l.startsWith('CT_GUEST_MEMORY_LIMIT') || /JavaScript heap out of memory|Reached heap limit/.test(l));
}

export class RemoteStrategyHost implements StrategyHost {
  readonly instanceId: string;
  readonly isolation: 'process' | 'worker';
  private state: State = 'new';
  private failure: CtError | undefined;
  private channel: GuestChannel | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private lastSeen = 0;
  private lastCheck = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private exited = false;
  private exitInfo: { code: number | null; signal: string | null } = { code: null, signal: null };
  private readonly exitWaiters: Array<() => void> = [];
  private ackWaiter: (() => void) | undefined;
  private stopPromise: Promise<StopReport> | undefined;
  private readonly stderrTail: string[] = [];
  private readonly log;

  constructor(
    private readonly spec: StrategySpec,
    private readonly opts: ResolvedHostOptions,
  ) {
    if (opts.isolation === 'inline') throw new CtError('CT_ERR_INTERNAL', 'RemoteStrategyHost cannot run inline');
    this.instanceId = spec.instanceId;
    this.isolation = opts.isolation;
    this.log = opts.logger.child({ component: 'strategy-host', instanceId: spec.instanceId, isolation: opts.isolation });
  }

  get pid(): number | undefined {
    return this.channel?.pid;
  }

  // --- lifecycle ----------------------------------------------------------------------------------

  start(): Promise<HostReady> {
    if (this.state !== 'new') return Promise.reject(new CtError('CT_ERR_INTERNAL', `strategy host ${this.instanceId}: start() called in state ${this.state}`));
    this.state = 'starting';
    this.channel = spawnGuest(
      this.isolation,
      {
        onMessage: (m) => this.onMessage(m),
        onExit: (code, signal, error) => this.onExit(code, signal, error),
        onOutput: (stream, line) => this.onOutput(stream, line),
      },
      { spec: this.spec, maxMemoryMb: this.opts.maxMemoryMb },
    );
    this.log.debug({ pid: this.channel.pid, threadId: this.channel.threadId }, 'strategy guest spawned');
    const ready = this.request<HostReady>(
      { v: PROTOCOL_VERSION, type: 'init', id: this.nextId++, spec: this.spec, runnerOptions: this.opts.runnerOptions, heartbeatMs: this.opts.heartbeatMs },
      this.opts.startTimeoutMs,
    );
    return ready.then((r) => {
      this.state = 'ready';
      this.lastSeen = this.lastCheck = performance.now();
      this.watchdog = setInterval(() => this.checkHeartbeat(), this.opts.heartbeatMs);
      this.watchdog.unref();
      this.log.info({ pid: this.pid, warmup: r.warmup, usesFills: r.usesFills }, 'strategy host ready');
      return r;
    });
  }

  async processBatch(batch: CandleBatch): Promise<Signal[]> {
    const value = await this.call('batch', { batch });
    return parseSignals(value, this.instanceId);
  }

  async notifyFills(fills: readonly Fill[]): Promise<void> {
    await this.call('fills', { fills });
  }

  async finish(): Promise<Signal[]> {
    const value = await this.call('finish', {});
    return parseSignals(value, this.instanceId);
  }

  /** Resolves when every request sent so far has left this process (see GuestChannel.written). */
  written(): Promise<void> {
    return this.channel?.written() ?? Promise.resolve();
  }

  /** Liveness probe: resolves when the guest answered. */
  async ping(): Promise<void> {
    await this.call('ping', {});
  }

  stop(): Promise<StopReport> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<StopReport> {
    if (this.state === 'new' || !this.channel) {
      this.state = 'stopped';
      return { acknowledged: false, exitCode: null, signal: null };
    }
    let acknowledged = false;
    if (this.state === 'ready' && !this.exited) {
      this.state = 'stopping';
      const deadline = performance.now() + this.opts.shutdownTimeoutMs;
      try {
        this.channel.send({ v: PROTOCOL_VERSION, type: 'shutdown', id: this.nextId++ });
        acknowledged = await this.waitFor((done) => (this.ackWaiter = done), this.opts.shutdownTimeoutMs);
        if (acknowledged) await this.waitFor((done) => this.exitWaiters.push(done), Math.max(0, deadline - performance.now()));
      } catch {
        // channel already closed: the exit handler has run or will run
      }
    } else if (this.state === 'starting') {
      this.state = 'stopping';
    }
    if (!this.exited) {
      this.channel.kill();
      await this.waitFor((done) => this.exitWaiters.push(done), 5000);
    }
    if (this.state !== 'failed') this.state = 'stopped';
    this.clearTimers();
    this.rejectAll(new CtError('CT_ERR_STRATEGY_DIED', `strategy ${this.instanceId}: host stopped while a request was pending`, { details: { instanceId: this.instanceId } }));
    this.log.info({ acknowledged, exitCode: this.exitInfo.code, signal: this.exitInfo.signal }, acknowledged ? 'strategy host stopped (shutdown acknowledged)' : 'strategy host stopped (killed)');
    return { acknowledged, exitCode: this.exitInfo.code, signal: this.exitInfo.signal };
  }

  // --- requests -----------------------------------------------------------------------------------

  private call(type: 'batch' | 'fills' | 'finish' | 'ping', payload: Record<string, unknown>): Promise<unknown> {
    if (this.state !== 'ready') {
      if (this.failure) return Promise.reject(this.failure);
      const code: ErrorCode = this.state === 'stopping' || this.state === 'stopped' ? 'CT_ERR_STRATEGY_DIED' : 'CT_ERR_INTERNAL';
      return Promise.reject(new CtError(code, `strategy ${this.instanceId}: ${type} requested while the host is ${this.state}`, { details: { instanceId: this.instanceId } }));
    }
    return this.request({ v: PROTOCOL_VERSION, type, id: this.nextId++, ...payload } as HostMessage, this.opts.requestTimeoutMs);
  }

  private request<T>(msg: HostMessage, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { type: msg.type, resolve: resolve as (v: unknown) => void, reject, timer: undefined };
      if (timeoutMs > 0) {
        p.timer = setTimeout(() => {
          this.fail('CT_ERR_STRATEGY_TIMEOUT', `strategy ${this.instanceId}: no answer to ${msg.type} within ${timeoutMs} ms; guest killed`);
        }, timeoutMs);
        p.timer.unref();
      }
      this.pending.set((msg as { id: number }).id, p);
      try {
        this.channel!.send(msg);
      } catch (e) {
        this.fail('CT_ERR_STRATEGY_DIED', `strategy ${this.instanceId}: cannot send ${msg.type}: ${(e as Error).message}`);
      }
    });
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    return p;
  }

  // --- incoming -----------------------------------------------------------------------------------

  private onMessage(raw: unknown): void {
    this.lastSeen = performance.now();
    let m: GuestMessage;
    try {
      // Everything a strategy says enters the daemon here: secrets are scrubbed before any of it is
      // logged, stored (signal reasons, indicators, strategy_events) or written to results.
      m = parseGuestMessage(scrubDeep(raw));
    } catch (e) {
      this.failWith(e as CtError);
      return;
    }
    switch (m.type) {
      case 'heartbeat':
        return;
      case 'log': {
        const obj = { ...(m.obj ?? {}), instanceId: this.instanceId, from: 'guest' };
        this.log[m.level](obj, m.msg);
        return;
      }
      case 'ready': {
        const p = this.settle(m.id);
        if (!p || p.type !== 'init') return this.breach(`ready with unknown correlation id ${m.id}`);
        if (m.instanceId !== this.instanceId) return this.breach(`ready for instance "${m.instanceId}", expected "${this.instanceId}"`);
        p.resolve({ warmup: m.warmup, usesFills: m.usesFills } satisfies HostReady);
        return;
      }
      case 'reply': {
        const p = this.settle(m.id);
        if (!p) return this.breach(`reply with unknown correlation id ${m.id}`);
        if (m.ok) {
          p.resolve(m.value);
        } else {
          const err = fromWireError(m.error, this.instanceId);
          this.log.error({ code: err.code, request: p.type }, err.message);
          if (p.type === 'init') {
            // The runner could not be built: the guest is useless, the start fails with its error.
            this.failWith(err, p);
          } else {
            p.reject(err);
          }
        }
        return;
      }
      case 'shutdown_ack':
        this.ackWaiter?.();
        this.ackWaiter = undefined;
        return;
    }
  }

  private onOutput(stream: 'stdout' | 'stderr', raw: string): void {
    const line = scrub(raw);
    if (stream === 'stderr') {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_KEEP) this.stderrTail.shift();
    }
    this.log.warn({ stream, from: 'guest' }, line);
  }

  private onExit(code: number | null, signal: string | null, error?: Error): void {
    this.exited = true;
    this.exitInfo = { code, signal };
    for (const w of this.exitWaiters.splice(0)) w();
    this.ackWaiter?.();
    if (this.state === 'stopping' || this.state === 'stopped' || this.state === 'failed') return;
    if (outOfMemory(this.stderrTail, error)) {
      this.fail(
        'CT_ERR_STRATEGY_MEMORY',
        `strategy ${this.instanceId}: exceeded its memory cap of ${this.opts.maxMemoryMb} MB (strategies.max_memory_mb); guest ${this.isolation} ${this.pid ?? ''} stopped`.replace('  ', ' '),
        { exitCode: code, signal, maxMemoryMb: this.opts.maxMemoryMb },
      );
      return;
    }
    const said = guestErrorLine(this.stderrTail);
    const why = error ? `: ${error.message}` : said !== undefined ? `: ${said.trim()}` : '';
    this.fail('CT_ERR_STRATEGY_DIED', `strategy ${this.instanceId}: guest ${this.isolation} ${this.pid ?? ''} exited (code ${code}, signal ${signal})${why}`.replace('  ', ' '), {
      exitCode: code,
      signal,
    });
  }

  private checkHeartbeat(): void {
    const now = performance.now();
    // If OUR event loop was blocked (a long synchronous step in the daemon), the guest's heartbeats
    // are sitting unread in the channel; do not blame the guest for our stall.
    if (now - this.lastCheck > 2 * this.opts.heartbeatMs) this.lastSeen = Math.max(this.lastSeen, now);
    this.lastCheck = now;
    const silentFor = now - this.lastSeen;
    if (this.state === 'ready' && silentFor > this.opts.heartbeatMs * this.opts.heartbeatMissLimit) {
      this.fail(
        'CT_ERR_STRATEGY_TIMEOUT',
        `strategy ${this.instanceId}: missed ${this.opts.heartbeatMissLimit} heartbeats (silent for ${Math.round(silentFor)} ms, heartbeat ${this.opts.heartbeatMs} ms); guest killed`,
      );
    }
  }

  // --- failure ------------------------------------------------------------------------------------

  private breach(what: string): void {
    this.fail('CT_ERR_PROTOCOL', `strategy ${this.instanceId}: guest broke the protocol: ${what}`);
  }

  private fail(code: ErrorCode, message: string, details: Record<string, unknown> = {}): void {
    this.failWith(new CtError(code, message, { details: { instanceId: this.instanceId, ...details } }));
  }

  /** Marks the host failed for good, rejects everything pending with `err`, kills the guest. */
  private failWith(err: CtError, first?: Pending): void {
    if (this.state === 'failed' || this.state === 'stopped') return;
    const wasStopping = this.state === 'stopping';
    this.state = 'failed';
    this.failure = err;
    this.clearTimers();
    if (!wasStopping) this.log.error({ code: err.code, pid: this.pid }, err.message);
    first?.reject(err);
    this.rejectAll(err);
    this.channel?.kill();
  }

  private rejectAll(err: CtError): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(err);
  }

  private clearTimers(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
  }

  /** Resolves true when `register`'s callback fires, false after `ms`. */
  private waitFor(register: (done: () => void) => void, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      register(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }
}
