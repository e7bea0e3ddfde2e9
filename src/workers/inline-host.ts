/**
 * The inline host: the runner lives in the calling thread. No boundary is crossed, so it is the
 * fastest mode and the reference the other modes must match. It cannot contain a hang or a crash
 * (that is what process/worker isolation is for), so it is meant for backtests.
 *
 * Errors are normalised exactly like a guest does (non-CtError -> CT_ERR_STRATEGY_THREW) so callers
 * see the same codes in every mode, and what the strategy hands back (Signals, log records, error
 * messages) passes the secret scrubber, as at the process boundary. That scrubbing is no boundary:
 * an inline strategy shares the daemon's memory and files (docs/strategies.md).
 */
import { CtError } from '../core/errors.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import { scrub, scrubDeep } from '../observability/scrub.ts';
import { StrategyRunner } from '../strategies/runner.ts';
import type { StrategySpec } from '../strategies/strategy-spec.ts';
import { fromWireError, toWireError } from './protocol.ts';
import type { HostReady, ResolvedHostOptions, StopReport, StrategyHost } from './strategy-host.ts';

export class InlineStrategyHost implements StrategyHost {
  readonly instanceId: string;
  readonly isolation = 'inline' as const;
  readonly pid = undefined;
  private runner: StrategyRunner | undefined;
  private stopped = false;

  constructor(
    private readonly spec: StrategySpec,
    private readonly opts: ResolvedHostOptions,
  ) {
    this.instanceId = spec.instanceId;
  }

  async start(): Promise<HostReady> {
    if (this.runner) throw new CtError('CT_ERR_INTERNAL', `strategy host ${this.instanceId}: start() called twice`);
    const log = this.opts.logger.child({ component: 'strategy', instanceId: this.instanceId });
    this.runner = await StrategyRunner.create(this.spec, {
      ...this.opts.runnerOptions,
      log: (rec) => log[rec.level](scrubDeep({ ...(rec.fields ?? {}), symbol: rec.symbol, candleTs: rec.ts }), scrub(rec.msg)),
    });
    return { warmup: this.runner.warmup, usesFills: this.runner.usesFills };
  }

  async processBatch(batch: CandleBatch): Promise<Signal[]> {
    const r = this.live('processBatch');
    try {
      return scrubDeep(r.processBatch(batch));
    } catch (e) {
      throw this.normalise(e, 'processBatch');
    }
  }

  async notifyFills(fills: readonly Fill[]): Promise<void> {
    const r = this.live('notifyFills');
    try {
      r.notifyFills(fills);
    } catch (e) {
      throw this.normalise(e, 'notifyFills');
    }
  }

  async finish(): Promise<Signal[]> {
    const r = this.live('finish');
    try {
      return scrubDeep(r.finish());
    } catch (e) {
      throw this.normalise(e, 'finish');
    }
  }

  async stop(): Promise<StopReport> {
    this.stopped = true;
    this.runner = undefined;
    return { acknowledged: true, exitCode: 0, signal: null };
  }

  private live(what: string): StrategyRunner {
    if (this.stopped) throw new CtError('CT_ERR_STRATEGY_DIED', `strategy ${this.instanceId}: ${what} called after stop()`, { details: { instanceId: this.instanceId } });
    if (!this.runner) throw new CtError('CT_ERR_INTERNAL', `strategy host ${this.instanceId}: ${what} called before start()`);
    return this.runner;
  }

  private normalise(e: unknown, what: string): CtError {
    const err = fromWireError(scrubDeep(toWireError(e, 'CT_ERR_STRATEGY_THREW', `strategy ${this.instanceId}: ${what}`)), this.instanceId);
    if (e instanceof CtError && err.message === e.message) return e;
    this.opts.logger.error({ instanceId: this.instanceId, code: err.code }, err.message);
    return err;
  }
}
