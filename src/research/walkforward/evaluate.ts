/**
 * One walk-forward evaluation: a parameter set run on one window [from, to) of candles already in
 * memory, lean — the real candle loop, strategy hosts, risk gate, portfolio and fill simulator of
 * a backtest, but no run row, no results folder and no accounting rows (a walk-forward makes
 * hundreds of these; they would flood the runs list). Its metrics come from computeMetrics, the
 * same as a backtest's.
 *
 * Warm-up: the strategy is first fed the (warmup - 1) candles of each symbol BEFORE `from` (as far
 * as the range has them), so its indicators are ready on the window's first candle; whatever it
 * signals on them is discarded and the account starts flat at `from`. So no trade starts before
 * the window and no equity outside it is counted. The first window of a range has no candles
 * before it: it warms up inside itself, as a backtest does.
 *
 * No look-ahead: only candles with open time < `to` are read; a later candle cannot reach here.
 */
import type { Config } from '../../config/schema.ts';
import { loadConfig } from '../../config/load.ts';
import { firstAtOrAfter, sliceColumns, type CandleColumns } from '../../domain/candle.ts';
import type { Fill } from '../../domain/order.ts';
import type { Trade } from '../../domain/trade.ts';
import { runCandleLoop } from '../../engine/candle-loop.ts';
import { LoopState } from '../../engine/loop-state.ts';
import type { AccountingSink } from '../../engine/ports.ts';
import { ReplaySource } from '../../engine/sources/replay-source.ts';
import type { FundingHistory } from '../../execution/funding-schedule.ts';
import { silentLogger } from '../../observability/logger.ts';
import { computeMetrics } from '../../reporting/metrics/compute-metrics.ts';
import type { Metrics } from '../../reporting/metrics/types.ts';
import { buildAccount, simulatedExecution } from '../../app/account.ts';
import { startStrategyHosts } from '../../app/hosts.ts';
import { strategySpecs } from '../../app/strategy-specs.ts';
import { objectiveValues, type ObjectiveValues } from './objectives.ts';

export interface EvaluationJob {
  readonly configFile: string;
  /** Every override of this evaluation, in order (command line, then the parameter set). */
  readonly sets: readonly string[];
  /** The whole range's candles per symbol, in config order (SharedArrayBuffer-backed: not copied per job). */
  readonly candles: ReadonlyArray<readonly [string, CandleColumns]>;
  readonly funding: ReadonlyArray<readonly [string, FundingHistory | undefined]>;
  readonly from: number;
  readonly to: number;
  readonly initialCash: number;
  /** Return the equity marks, trades and fills (test windows); train windows return figures only. */
  readonly keepDetail: boolean;
}

export interface EvaluationResult {
  readonly objectives: ObjectiveValues;
  readonly trades: number;
  readonly finalEquity: number;
  /** Candles per symbol fed before `from` to warm the strategy up (the smallest over symbols). */
  readonly warmupCandles: number;
  /** Candle steps inside the window. */
  readonly steps: number;
  readonly detail?: {
    readonly metrics: Metrics;
    readonly ts: Float64Array;
    readonly equity: Float64Array;
    readonly cash: Float64Array;
    readonly exposure: Float64Array;
    readonly trades: Trade[];
    readonly fills: Fill[];
  };
}

const noop = (): void => undefined;
/** The accounting of an evaluation: nothing recorded (the loop's own result has what the metrics need). */
const NULL_SINK: AccountingSink = {
  signal: noop, decision: noop, order: noop, fill: noop, funding: noop, trade: noop, equity: noop,
  position: noop, riskEvent: noop, executionNote: noop, stepDone: noop, flush: noop,
};

const configs = new Map<string, Config>();
/** Config per override list, loaded once per thread (it is read-only from here on). */
function configOf(file: string, sets: readonly string[]): Config {
  const key = `${file}\n${sets.join('\n')}`;
  let c = configs.get(key);
  if (c === undefined) {
    c = loadConfig({ file, sets: [...sets] }).config;
    configs.set(key, c);
  }
  return c;
}

/** The piscina job (and the main thread's test-window run): one parameter set on one window. */
export async function evaluateWindow(job: EvaluationJob): Promise<EvaluationResult> {
  const config = configOf(job.configFile, job.sets);
  const log = silentLogger();
  const symbols = job.candles.map(([s]) => s);
  // Inline hosts: the job is already the unit of isolation and parallelism.
  const hosts = await startStrategyHosts(strategySpecs(config, symbols), config, log, { supervised: false, isolation: 'inline' });
  try {
    const lead = Math.max(0, hosts.warmup - 1);
    const warm = new Map<string, CandleColumns>();
    const window = new Map<string, CandleColumns>();
    let warmupCandles = Infinity;
    for (const [s, c] of job.candles) {
      const i0 = firstAtOrAfter(c.ts, job.from);
      const i1 = firstAtOrAfter(c.ts, job.to);
      const w0 = Math.max(0, i0 - lead);
      warm.set(s, sliceColumns(c, w0, i0));
      window.set(s, sliceColumns(c, i0, i1));
      warmupCandles = Math.min(warmupCandles, i0 - w0);
    }
    const state = new LoopState(config.execution.atr_period);
    state.addSymbols(symbols);
    const batch = hosts.usesFills ? 1 : config.backtest.batch_size;
    if ([...warm.values()].some((c) => c.length > 0)) {
      // The strategies see the warm-up candles; their Signals there are dropped (the account starts at `from`).
      for await (const b of new ReplaySource(warm, batch).batches()) await hosts.processBatch(b);
      // The loop's ATR (sizing of Signals without a stop) is warmed on the same candles.
      for (const [s, c] of warm) for (let i = 0; i < c.length; i++) state.atr.get(s)!.update(c.high[i]!, c.low[i]!, c.close[i]!);
    }
    const funding = new Map(job.funding);
    const account = buildAccount(config, job.initialCash, simulatedExecution(config, log, (s) => funding.get(s)));
    const source = new ReplaySource(window, batch);
    const loop = await runCandleLoop({
      source, hosts, execution: account.execution, gate: account.gate, portfolio: account.portfolio, sink: NULL_SINK,
      atrPeriod: config.execution.atr_period, closeAtEnd: true, state,
    });
    const metrics = computeMetrics({
      equity: loop.equity,
      trades: loop.trades,
      fills: loop.fills,
      initialCash: job.initialCash,
      timeframe: config.market.timeframe,
      benchmarkCloses: new Map([...window].map(([s, c]) => [s, c.close] as const)),
      benchmarkTs: new Map([...window].map(([s, c]) => [s, c.ts] as const)),
    });
    const eq = loop.equity;
    return {
      objectives: objectiveValues(metrics),
      trades: metrics.trades.count,
      finalEquity: metrics.returns.finalEquity,
      warmupCandles: warmupCandles === Infinity ? 0 : warmupCandles,
      steps: loop.steps,
      ...(job.keepDetail
        ? { detail: { metrics, ts: eq.ts.slice(0, eq.length), equity: eq.equity.slice(0, eq.length), cash: eq.cash.slice(0, eq.length), exposure: eq.exposure.slice(0, eq.length), trades: loop.trades, fills: loop.fills } }
        : {}),
    };
  } finally {
    await hosts.stop().catch(() => undefined);
  }
}
