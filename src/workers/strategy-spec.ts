/**
 * What a strategy host needs from the strategy runner (src/strategies/runner.ts). Hosts load the
 * runner module dynamically (inside the guest, or in-process for inline), so they depend on its
 * shape, not on its file: `runnerModule` can point a host at another module with the same shape.
 */
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import type { StrategyLogSink, StrategySpec } from '../strategies/runner.ts';

export type { StrategySpec } from '../strategies/runner.ts';

/** The runner surface a host drives (matches StrategyRunner). */
export interface RunnerLike {
  readonly usesFills: boolean;
  readonly warmup: number;
  processBatch(batch: CandleBatch): Signal[];
  notifyFills(fills: readonly Fill[]): void;
  finish(): Signal[];
}

/**
 * Options passed to `StrategyRunner.create`. They cross the boundary in `init`, so only plain data
 * here; the log sink is attached on the far side.
 */
export interface RunnerCreateOptions {
  /** ONLY for test fixtures that break the no-I/O rule on purpose; never from config. */
  readonly skipSourceCheck?: boolean;
}

/** The module shape a runner module must have: `export class StrategyRunner { static create(spec, opts) }`. */
export interface RunnerModule {
  readonly StrategyRunner: { create(spec: StrategySpec, opts?: RunnerCreateOptions & { log?: StrategyLogSink }): Promise<RunnerLike> };
}
