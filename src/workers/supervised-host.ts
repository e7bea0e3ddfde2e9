/**
 * SupervisedStrategyHost: the forward/live/dry-run wrapper that keeps a failing strategy from
 * stopping the daemon. It never rejects a step; instead:
 *
 *  - any failure of the wrapped host (CT_ERR_STRATEGY_THREW / _TIMEOUT / _DIED / CT_ERR_PROTOCOL)
 *    is logged with the instance id, the host is stopped (killed if needed) and marked `down`;
 *  - while down, its steps are skipped (logged) and return no Signals; other strategies go on;
 *  - a restart is scheduled after a capped exponential backoff: min(cap, base * 2^(n-1)) for the
 *    n-th restart; after `maxRestarts` restarts the instance is `failed` for good (logged at error);
 *  - a restart creates a fresh host (new process), waits for `ready`, then REPLAYS the candles
 *    returned by `warmupProvider()` (the loop's most recent candles) so the strategy's indicators
 *    and its own intended-position book are rebuilt; Signals produced by the replay are discarded
 *    (they are decisions about the past). See docs/protocol.md "Restart policy" for what this
 *    means for the strategy's history;
 *  - a strategy that fails again DURING that replay fails on candles it has already failed on: a
 *    deterministic fault that every further restart would replay into. It is given up at once
 *    (state `failed`, one event saying so) instead of restarting until maxRestarts;
 *  - after `restartResetMs` of healthy running since its last restart, the restart count starts
 *    again from 0: a strategy that fails once a week is never given up for failures long past.
 *  - `replaceWith` (hot reload) prepares a fresh host of new code beside the running one (start,
 *    warm-up on the recent candles, the caller's checks) and swaps it in at the next step
 *    boundary, after feeding it the candles that came while it was prepared: the new host has
 *    then seen exactly the steps the old one saw, and its first decision is the next step. Until
 *    the swap, and for good when anything fails, the old host goes on.
 *
 * Backtests do NOT use this wrapper: there, a strategy failure must fail the run with a clear error.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { CtError, isCtError } from '../core/errors.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import { silentLogger } from '../observability/logger.ts';
import { rowsBetween } from './recent-candles.ts';
import type { HostReady, Isolation, StopReport, StrategyHost } from './strategy-host.ts';

export type SupervisedState = 'new' | 'up' | 'down' | 'restarting' | 'failed' | 'stopped';

export interface SupervisorStatus {
  readonly instanceId: string;
  readonly state: SupervisedState;
  /** Restart attempts so far (successful or not); capped by maxRestarts. */
  readonly restarts: number;
  readonly lastError?: { readonly code: string; readonly message: string };
  /** Steps (processBatch calls) skipped while the strategy was down. */
  readonly skippedBatches: number;
}

export interface SupervisorOptions {
  /** First restart delay (strategies.restart_base_ms). Default 500. */
  readonly restartBaseMs?: number;
  /** Upper bound of the delay (strategies.restart_cap_ms). Default 30000. */
  readonly restartCapMs?: number;
  /** Restarts allowed before giving up (strategies.max_restarts). Default 10. */
  readonly maxRestarts?: number;
  /** Healthy running after a restart that resets the restart count (strategies.restart_reset_s). Default 600000. */
  readonly restartResetMs?: number;
  /** Milliseconds clock for the healthy period (tests may inject one). Default performance.now. */
  readonly now?: () => number;
  /** Candles to replay after a restart (the loop's last N candles, N >= warmup); undefined = none. */
  readonly warmupProvider?: () => CandleBatch | undefined | Promise<CandleBatch | undefined>;
  readonly logger?: Logger;
  /** Called on every state change (for the console menu / status table). */
  readonly onStatus?: (s: SupervisorStatus) => void;
}

/**
 * A check of the new code on its fresh host after the warm-up (hot reload: the look-ahead check):
 * `recent` are the candles it was warmed up on, `signals` what it decided on them. Throws (a
 * CtError) to refuse the new code.
 */
export type ReplacementCheck = (host: { readonly recent: CandleBatch | undefined; readonly signals: readonly Signal[] }) => Promise<void>;

/** How a `replaceWith` ended: swapped in before the step `swapTs`, or refused (the old code runs on). */
export type ReplaceOutcome =
  | { readonly ok: true; readonly swapTs: number; readonly warmedUpCandles: number; readonly caughtUpCandles: number; readonly pid: number | undefined }
  | { readonly ok: false; readonly error: CtError };

/** Why new code was refused: the cause's code when it has one (a load error), else CT_ERR_STRATEGY_RELOAD. */
function reloadRefusal(instanceId: string, message: string, cause?: unknown): CtError {
  const why = cause === undefined ? '' : `: ${isCtError(cause) ? cause.message : String((cause as Error)?.message ?? cause)}`;
  return new CtError(isCtError(cause) ? cause.code : 'CT_ERR_STRATEGY_RELOAD', `${message}${why}`, { ...(cause !== undefined ? { cause } : {}), details: { instanceId } });
}

interface PendingReplacement {
  readonly host: StrategyHost;
  readonly factory: () => StrategyHost;
  readonly ready: HostReady;
  /** Time of the last step the new host was warmed up on (-Infinity: none). */
  readonly lastTs: number;
  readonly warmedUpCandles: number;
  readonly settle: (o: ReplaceOutcome) => void;
}

export class SupervisedStrategyHost implements StrategyHost {
  readonly instanceId: string;
  readonly isolation: Isolation;
  private host: StrategyHost;
  private state: SupervisedState = 'new';
  private restarts = 0;
  private failures = 0;
  private skipped = 0;
  private lastError: CtError | undefined;
  private ready: HostReady | undefined;
  private timer: NodeJS.Timeout | undefined;
  private restarting: Promise<void> | undefined;
  private readonly base: number;
  private readonly cap: number;
  private readonly maxRestarts: number;
  private readonly resetMs: number;
  private readonly now: () => number;
  /** When the current host came up after a restart (undefined before the first restart). */
  private upSince: number | undefined;
  private readonly log: Logger;
  /** A replacement ready to take over at the next step boundary (hot reload). */
  private pending: PendingReplacement | undefined;
  /** Creates a fresh host of the code running now: the one given, then the last one swapped in. */
  private factory: () => StrategyHost;

  /** `factory` creates a fresh, unstarted host for the same spec (called once per (re)start). */
  constructor(
    factory: () => StrategyHost,
    private readonly opts: SupervisorOptions = {},
  ) {
    this.factory = factory;
    this.host = factory();
    this.instanceId = this.host.instanceId;
    this.isolation = this.host.isolation;
    this.base = opts.restartBaseMs ?? 500;
    this.cap = opts.restartCapMs ?? 30_000;
    this.maxRestarts = opts.maxRestarts ?? 10;
    this.resetMs = opts.restartResetMs ?? 600_000;
    this.now = opts.now ?? (() => performance.now());
    this.log = (opts.logger ?? silentLogger()).child({ component: 'strategy-supervisor', instanceId: this.instanceId });
  }

  get pid(): number | undefined {
    return this.host.pid;
  }

  status(): SupervisorStatus {
    return {
      instanceId: this.instanceId,
      state: this.state,
      restarts: this.restarts,
      skippedBatches: this.skipped,
      ...(this.lastError ? { lastError: { code: this.lastError.code, message: this.lastError.message } } : {}),
    };
  }

  /** The first start is NOT supervised: a strategy that cannot start at all (bad params, missing file) is a config error. */
  async start(): Promise<HostReady> {
    this.ready = await this.host.start();
    this.setState('up');
    return this.ready;
  }

  async processBatch(batch: CandleBatch): Promise<Signal[]> {
    if (this.pending !== undefined && batch.length > 0) await this.swapIn(batch.ts[0]!);
    if (this.state !== 'up') return this.skip('processBatch', batch.length);
    try {
      return await this.host.processBatch(batch);
    } catch (e) {
      this.onFailure(e, 'processBatch');
      return [];
    }
  }

  async notifyFills(fills: readonly Fill[]): Promise<void> {
    if (this.state !== 'up') return;
    try {
      await this.host.notifyFills(fills);
    } catch (e) {
      this.onFailure(e, 'notifyFills');
    }
  }

  async finish(): Promise<Signal[]> {
    if (this.state !== 'up') return this.skip('finish', 0);
    try {
      return await this.host.finish();
    } catch (e) {
      this.onFailure(e, 'finish');
      return [];
    }
  }

  async stop(): Promise<StopReport> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dropPending('the daemon stopped before the next step');
    await this.restarting?.catch(() => undefined);
    this.setState('stopped');
    return this.host.stop();
  }

  /** Resolves when no restart is scheduled or running (for tests and orderly shutdown). */
  async settled(): Promise<void> {
    while (this.timer || this.restarting) {
      if (this.restarting) await this.restarting.catch(() => undefined);
      else await new Promise((r) => setTimeout(r, 10));
    }
  }

  // --- hot reload ---------------------------------------------------------------------------------

  /**
   * Prepares a fresh host from `factory` (the new code) while the current one goes on: starts it,
   * warms it up on the recent candles (its Signals there are decisions about the past: only
   * `check` looks at them), runs `check`, and swaps it in at the next step boundary. Resolves when
   * it was swapped in, or with the reason it was refused; never rejects. A second call before the
   * swap supersedes the first. On success `factory` becomes what a later restart uses.
   */
  async replaceWith(factory: () => StrategyHost, check?: ReplacementCheck): Promise<ReplaceOutcome> {
    const refuse = (message: string, cause?: unknown): ReplaceOutcome => ({ ok: false, error: reloadRefusal(this.instanceId, message, cause) });
    if (this.state === 'stopped' || this.state === 'new') return refuse(`strategy ${this.instanceId} is ${this.state}: nothing to replace`);
    if (this.state === 'down' || this.state === 'restarting') return refuse(`strategy ${this.instanceId} is ${this.state} after a failure: its restart loads the code that is there then`);
    let host: StrategyHost | undefined;
    const fail = (message: string, cause?: unknown): ReplaceOutcome => {
      void host?.stop().catch(() => undefined);
      return refuse(message, cause);
    };
    let ready: HostReady;
    try {
      host = factory();
      ready = await host.start();
    } catch (e) {
      return fail(`the new code of strategy ${this.instanceId} did not start`, e);
    }
    if (this.ready !== undefined && ready.usesFills !== this.ready.usesFills) {
      return fail(`the new code of strategy ${this.instanceId} ${ready.usesFills ? 'exports' : 'no longer exports'} onFill: the loop's batching was chosen for the code it started with; restart the daemon for this change`);
    }
    const recent = await this.opts.warmupProvider?.();
    let signals: Signal[] = [];
    try {
      if (recent !== undefined && recent.length > 0) signals = await host.processBatch(recent);
    } catch (e) {
      return fail(`the new code of strategy ${this.instanceId} failed on the ${recent?.length ?? 0} recent candles it was warmed up on`, e);
    }
    try {
      await check?.({ recent, signals });
    } catch (e) {
      return fail(`the new code of strategy ${this.instanceId} failed its checks`, e);
    }
    if ((this.state as SupervisedState) === 'stopped') return fail(`strategy ${this.instanceId}: the daemon stopped while the new code was prepared`);
    this.dropPending('a newer version of the file superseded it');
    const lastTs = recent !== undefined && recent.length > 0 ? recent.ts[recent.length - 1]! : -Infinity;
    const prepared = host;
    return new Promise<ReplaceOutcome>((settle) => {
      this.pending = { host: prepared, factory, ready, lastTs, warmedUpCandles: recent?.length ?? 0, settle };
      this.log.info({ warmedUpCandles: recent?.length ?? 0, pid: prepared.pid }, `strategy ${this.instanceId}: new code warmed up and checked; it takes over at the next step`);
    });
  }

  /** The step boundary before `nextTs`: the prepared host catches up on the steps it missed, then takes over. */
  private async swapIn(nextTs: number): Promise<void> {
    const p = this.pending!;
    this.pending = undefined;
    const refuse = (message: string, cause?: unknown): void => {
      void p.host.stop().catch(() => undefined);
      p.settle({ ok: false, error: reloadRefusal(this.instanceId, message, cause) });
    };
    if (this.state === 'restarting' || this.state === 'stopped') return refuse(`strategy ${this.instanceId} was ${this.state} at the swap`);
    const recent = await this.opts.warmupProvider?.();
    // The recent candles must still reach back to the last step the new host saw, or a step
    // between would be lost to it (the daemon ran through more steps than it keeps meanwhile).
    if (p.lastTs !== -Infinity && (recent === undefined || recent.length === 0 || recent.ts[0]! > p.lastTs)) {
      return refuse(`strategy ${this.instanceId}: the daemon went through more steps while the new code was prepared than it keeps as recent candles; save the file again to retry`);
    }
    const missing = recent === undefined ? undefined : rowsBetween(recent, p.lastTs, nextTs);
    try {
      // Decisions about steps the old code already decided: discarded.
      if (missing !== undefined && missing.length > 0) await p.host.processBatch(missing);
    } catch (e) {
      return refuse(`the new code of strategy ${this.instanceId} failed on the ${missing?.length ?? 0} candles that came while it was prepared`, e);
    }
    const old = this.host;
    this.host = p.host;
    this.factory = p.factory;
    this.ready = p.ready;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void old.stop().catch(() => undefined);
    if (this.state !== 'up') {
      // A strategy given up (or waiting to restart) runs again on code that may be fixed.
      this.restarts = 0;
      this.setState('up');
    }
    this.log.info({ swapTs: nextTs, caughtUpCandles: missing?.length ?? 0, pid: p.host.pid }, `strategy ${this.instanceId}: new code swapped in before step ${nextTs}`);
    p.settle({ ok: true, swapTs: nextTs, warmedUpCandles: p.warmedUpCandles, caughtUpCandles: missing?.length ?? 0, pid: p.host.pid });
  }

  private dropPending(why: string): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    void p.host.stop().catch(() => undefined);
    p.settle({ ok: false, error: reloadRefusal(this.instanceId, `strategy ${this.instanceId}: new code not swapped in: ${why}`) });
  }

  // --- failure and restart ------------------------------------------------------------------------

  private skip(what: string, candles: number): Signal[] {
    this.skipped++;
    this.log.warn({ state: this.state, candles, skipped: this.skipped }, `strategy ${this.instanceId} is ${this.state}: ${what} skipped`);
    return [];
  }

  private onFailure(e: unknown, what: string): void {
    const err = isCtError(e) ? e : new CtError('CT_ERR_STRATEGY_THREW', `strategy ${this.instanceId}: ${what}: ${String((e as Error)?.message ?? e)}`);
    this.lastError = err;
    this.failures++;
    if (this.restarts > 0 && this.upSince !== undefined && this.now() - this.upSince >= this.resetMs) {
      this.log.info({ restarts: this.restarts, healthyMs: Math.round(this.now() - this.upSince) }, `strategy ${this.instanceId} ran healthy for ${Math.round((this.now() - this.upSince) / 1000)} s since its last restart: restart count reset`);
      this.restarts = 0;
    }
    this.log.error({ code: err.code, failures: this.failures, restarts: this.restarts }, `strategy ${this.instanceId} failed in ${what}: ${err.message}`);
    const old = this.host;
    void old.stop().catch(() => undefined);
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.state === 'stopped') return;
    if (this.restarts >= this.maxRestarts) {
      this.setState('failed');
      this.log.error({ restarts: this.restarts, code: this.lastError?.code }, `strategy ${this.instanceId} gave up after ${this.restarts} restarts; its steps are skipped from now on`);
      return;
    }
    const delay = Math.min(this.cap, this.base * 2 ** this.restarts);
    this.setState('down');
    this.log.warn({ delayMs: delay, attempt: this.restarts + 1 }, `strategy ${this.instanceId} restarts in ${delay} ms`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.restarting = this.restart().finally(() => (this.restarting = undefined));
    }, delay);
    this.timer.unref();
  }

  private async restart(): Promise<void> {
    if (this.state === 'stopped') return;
    this.setState('restarting');
    const host = this.factory();
    try {
      await host.start();
    } catch (e) {
      // Not the strategy's decisions failing: a start can fail for passing reasons (load, spawn).
      void host.stop().catch(() => undefined);
      this.restarts++;
      this.lastError = isCtError(e) ? e : new CtError('CT_ERR_STRATEGY_DIED', `strategy ${this.instanceId}: restart failed: ${String(e)}`);
      this.log.error({ code: this.lastError.code, restarts: this.restarts }, `strategy ${this.instanceId} restart failed: ${this.lastError.message}`);
      this.scheduleRestart();
      return;
    }
    const replay = await this.opts.warmupProvider?.();
    try {
      // Replayed candles rebuild history; their Signals are decisions about the past: discarded.
      if (replay && replay.length > 0) await host.processBatch(replay);
    } catch (e) {
      void host.stop().catch(() => undefined);
      this.restarts++;
      this.giveUpAfterReplay(e, replay?.length ?? 0);
      return;
    }
    if ((this.state as SupervisedState) === 'stopped') {
      await host.stop();
      return;
    }
    this.host = host;
    this.restarts++;
    this.upSince = this.now();
    this.setState('up');
    this.log.info({ restarts: this.restarts, pid: host.pid }, `strategy ${this.instanceId} restarted`);
  }

  /** The strategy failed again on candles it had already seen: restarting would replay into the same fault. */
  private giveUpAfterReplay(e: unknown, candles: number): void {
    if ((this.state as SupervisedState) === 'stopped') return;
    const cause = isCtError(e) ? e : new CtError('CT_ERR_STRATEGY_THREW', `strategy ${this.instanceId}: replay: ${String((e as Error)?.message ?? e)}`);
    this.lastError = new CtError(
      cause.code,
      `strategy ${this.instanceId} given up: it failed again while replaying ${candles} recent candles after restart ${this.restarts} (a fault every restart would repeat): ${cause.message}`,
      { cause, details: { instanceId: this.instanceId, replayedCandles: candles, restarts: this.restarts } },
    );
    this.log.error({ code: cause.code, restarts: this.restarts, candles }, this.lastError.message);
    this.setState('failed');
  }

  private setState(s: SupervisedState): void {
    this.state = s;
    this.opts.onStatus?.(this.status());
  }
}
