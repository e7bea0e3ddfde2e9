import { join, resolve } from 'node:path';
import type { RawConfig } from '../../config/load.ts';
import { resolvedIniText } from '../../config/resolved.ts';
import type { Config } from '../../config/schema.ts';
import { sliceColumns, type CandleColumns } from '../../domain/candle.ts';
import type { EquityMarks } from '../../domain/equity.ts';
import { computeMetrics } from '../../reporting/metrics/compute-metrics.ts';
import { formatSummaryTable } from '../../reporting/results/report.ts';
import { summaryJson } from '../../reporting/results/summary.ts';
import { writeResults } from '../../reporting/results/write-results.ts';
import { ReplaySource } from '../../engine/sources/replay-source.ts';
import { fillModelAssumptions } from '../../execution/assumptions.ts';
import type { FundingHistory } from '../../execution/funding-schedule.ts';
import type { Logger } from '../../observability/logger.ts';
import { insertBacktestSummary } from '../../persistence/runs.ts';
import { simulatedExecution } from '../account.ts';
import { fillModelOf } from '../component-options.ts';
import { loadBacktestCandles, loadFunding } from '../market-data.ts';
import { tradeLevels } from '../trade-levels.ts';
import { runSession, type SessionStatus } from '../session.ts';
import type { ModeModule } from './mode.ts';

export interface BacktestOutcome {
  readonly runId: string;
  /** `interrupted`: stopped by SIGINT/SIGTERM; the results cover the candles that ran. */
  readonly status: SessionStatus;
  readonly resultsDir: string;
  readonly summary: Record<string, unknown>;
  readonly table: string;
  readonly candles: number;
  /** Phase timings in ms: reading the store, starting strategy hosts (process start), the candle
   *  loop (strategies, risk, fills, accounting), and metrics + results files; `reportMs` is the
   *  part of `resultsMs` spent on report.html and the PNG charts. */
  readonly timings: { readonly loadMs: number; readonly hostStartMs: number; readonly loopMs: number; readonly resultsMs: number; readonly reportMs: number };
}

export interface BacktestInputs {
  readonly config: Config;
  readonly raw: RawConfig;
  readonly logger: Logger;
  /** Candles already in memory (benchmarks, parallel jobs); otherwise read from the store. */
  readonly candles?: ReadonlyMap<string, CandleColumns>;
  readonly runId?: string;
  readonly signal?: AbortSignal;
}

interface Prepared {
  readonly symbols: readonly string[];
  readonly candles: ReadonlyMap<string, CandleColumns>;
  readonly funding: ReadonlyMap<string, FundingHistory | undefined>;
}

/**
 * Backtest: candles from the store (downloaded first when missing) replayed in batches, the fill
 * simulator with the stored funding history, batch accounting, plain (unsupervised) hosts: a
 * strategy failure fails the run. At the end every position is closed at the last candle, and
 * metrics and results/<run-id>/ are written — also when Ctrl-C stopped the run, for what ran.
 */
export async function runBacktest(inp: BacktestInputs): Promise<BacktestOutcome> {
  const { config } = inp;
  const log = inp.logger.child({ component: 'backtest' });
  const from = config.backtest.from!;
  const to = config.backtest.to!;
  return runSession<Prepared, BacktestOutcome>({ config, raw: inp.raw, logger: log, ...(inp.runId ? { runId: inp.runId } : {}), ...(inp.signal ? { signal: inp.signal } : {}) }, {
    mode: 'backtest',
    runIdPrefix: 'backtest',
    initialCash: config.backtest.initial_cash,
    accounting: 'batch',
    supervised: false,
    closeAtEnd: true,
    maxSteps: 0,
    // Known from the config (or the candles given): the strategy hosts start while the store is read.
    symbols: inp.candles ? [...inp.candles.keys()] : [...new Set(config.market.symbols)],
    async prepare() {
      const candles = inp.candles ?? (await loadBacktestCandles(config, log));
      const funding = await loadFunding(config, from, to);
      return { symbols: [...candles.keys()], candles, funding };
    },
    execution: (p) => simulatedExecution(config, log, (s) => p.funding.get(s)),
    async source(p, hosts, ctx) {
      const source = new ReplaySource(p.candles, hosts.usesFills ? 1 : config.backtest.batch_size);
      log.info({ runId: ctx.runId, symbols: p.symbols, strategies: config.strategies.enabled, candles: source.length, isolation: config.strategies.isolation }, 'backtest started');
      return source;
    },
    async end({ ctx, status, prepared, loop, timings }) {
      const tResults = performance.now();
      const candles = prepared?.candles ?? new Map<string, CandleColumns>();
      const symbols = prepared?.symbols ?? [];
      // Buy-and-hold over what ran: an interrupted run is compared with the market over its own candles.
      const through = status === 'interrupted' ? loop?.lastTs ?? -Infinity : Infinity;
      // The same candles are the report's price chart, with the run's fills on them.
      const ran = new Map([...candles].map(([s, c]) => [s, ranUpTo(c, through)] as const));
      const benchmark = [...ran];
      const equity: EquityMarks = loop?.equity ?? [];
      const metrics = computeMetrics({
        equity,
        benchmarkTs: new Map(benchmark.map(([s, c]) => [s, c.ts] as const)),
        trades: loop?.trades ?? [],
        fills: loop?.fills ?? [],
        initialCash: config.backtest.initial_cash,
        timeframe: config.market.timeframe,
        benchmarkCloses: new Map(benchmark.map(([s, c]) => [s, c.close] as const)),
      });
      const resultsDir = resolve(join(config.general.results_dir, ctx.runId));
      const trades = loop?.trades ?? [];
      const fills = loop?.fills ?? [];
      const { html, png, monte_carlo_runs: runs, monte_carlo_seed: seed } = config.report;
      const { reportMs } = await writeResults(resultsDir, {
        configIni: resolvedIniText(inp.raw, config.strategies.enabled),
        metrics,
        trades,
        fills,
        equity,
        assumptions: fillModelAssumptions(fillModelOf(config)),
        runId: ctx.runId,
        ...(html || png
          ? {
              report: {
                html, png, candles: ran,
                levels: tradeLevels(ctx.db, ctx.runId, trades, fills), strategies: config.strategies.enabled, monteCarlo: { runs, seed },
              },
            }
          : {}),
      });
      insertBacktestSummary(ctx.db, {
        runId: ctx.runId, strategies: config.strategies.enabled, symbols, timeframe: config.market.timeframe,
        fromTs: from, toTs: to, metricsJson: JSON.stringify(metrics), resultsDir,
      });
      const resultsMs = performance.now() - tResults;
      const done = { loadMs: timings.prepareMs, hostStartMs: timings.hostStartMs, loopMs: timings.loopMs, resultsMs, reportMs };
      log.info({ runId: ctx.runId, status, candles: loop?.candles ?? 0, fills: loop?.fills.length ?? 0, trades: loop?.trades.length ?? 0, ...done }, 'backtest finished');
      return { runId: ctx.runId, status, resultsDir, summary: summaryJson(ctx.runId, resultsDir, metrics), table: formatSummaryTable(metrics), candles: loop?.candles ?? 0, timings: done };
    },
  });
}

/** The candles of a series with open time <= `lastTs` (all of them for Infinity), as views. */
function ranUpTo(c: CandleColumns, lastTs: number): CandleColumns {
  if (lastTs === Infinity) return c;
  let n = 0;
  while (n < c.length && c.ts[n]! <= lastTs) n++;
  return sliceColumns(c, 0, n);
}

export const backtestMode: ModeModule = {
  name: 'backtest',
  logFile: 'cryptotrader.log',
  async run(inp) {
    const r = await runBacktest(inp);
    const head = r.status === 'interrupted'
      ? `backtest ${r.runId} interrupted after ${r.candles} candles${r.summary.end ? ` (up to ${String(r.summary.end)})` : ''}: the results cover what ran\n`
      : '';
    return { json: { ...r.summary, status: r.status }, text: `${head}${r.table}\nresults: ${r.resultsDir}` };
  },
};
