import type { Config } from '../config/schema.ts';
import type { CandleStep } from '../domain/candle-batch.ts';
import { syntheticSteps } from '../data/synthetic.ts';
import { StepStreamSource } from '../engine/sources/step-stream-source.ts';

/** The seeded synthetic market as a step source: the same candle source port as the live feed. */
export function syntheticSource(config: Config, maxSteps: number): StepStreamSource {
  const symbols = config.dry_run.symbols;
  const raw = syntheticSteps({
    seed: config.dry_run.seed,
    symbols,
    timeframe: config.market.timeframe,
    from: config.dry_run.start ?? 0,
    ...(maxSteps > 0 ? { count: maxSteps } : {}),
  });
  return new StepStreamSource(symbols, groupBySteps(raw));
}

/** Groups per-symbol candles (in time order) into steps of equal open time. */
async function* groupBySteps(it: AsyncIterable<{ ts: number; symbol: string; candle: CandleStep['candles'][number]['candle'] }>): AsyncGenerator<CandleStep> {
  let ts = -1;
  let candles: Array<CandleStep['candles'][number]> = [];
  for await (const x of it) {
    if (x.ts !== ts && candles.length > 0) {
      yield { ts, candles };
      candles = [];
    }
    ts = x.ts;
    candles.push({ symbol: x.symbol, candle: x.candle });
  }
  if (candles.length > 0) yield { ts, candles };
}
