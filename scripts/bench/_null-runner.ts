/**
 * A runner that reads every close and emits nothing: used by scripts/bench/hosts.ts to measure the
 * cost of moving batches across the host boundary, separately from the strategy's own cost.
 */
import type { CandleBatch } from '../../src/domain/candle-batch.ts';
import type { Signal } from '../../src/domain/signal.ts';

export class StrategyRunner {
  readonly usesFills = false;
  readonly warmup = 1;
  checksum = 0;
  static async create(): Promise<StrategyRunner> {
    return new StrategyRunner();
  }
  processBatch(b: CandleBatch): Signal[] {
    for (let i = 0; i < b.length; i++) this.checksum += b.close[i]!;
    return [];
  }
  notifyFills(): void {}
  finish(): Signal[] {
    return [];
  }
}
