import { batchFromSteps, type CandleBatch, type CandleStep } from '../../domain/candle-batch.ts';
import type { CandleSourcePort } from '../ports.ts';

/**
 * A source fed one step at a time (the synthetic stream of --dry-run, the live Bybit feed in
 * forward/live mode). Each step is its own batch: nothing is known about the next candle until it
 * closes, exactly as in live trading.
 */
export class StepStreamSource implements CandleSourcePort {
  readonly symbols: readonly string[];
  private readonly steps: AsyncIterable<CandleStep> | Iterable<CandleStep>;

  constructor(symbols: readonly string[], steps: AsyncIterable<CandleStep> | Iterable<CandleStep>) {
    this.symbols = symbols;
    this.steps = steps;
  }

  async *batches(): AsyncIterable<CandleBatch> {
    for await (const step of this.steps) yield batchFromSteps(this.symbols, [step]);
  }
}
