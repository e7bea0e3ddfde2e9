import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { RawConfig } from '../config/load.ts';
import { resolvedIniText } from '../config/resolved.ts';
import { SimulatedClock } from '../core/clock.ts';
import { CtError, isCtError } from '../core/errors.ts';
import { timeframeMs } from '../core/timeframe.ts';
import type { CandleColumns } from '../domain/candle.ts';
import { runCandleLoop } from '../engine/candle-loop.ts';
import { ReplaySource } from '../engine/sources/replay-source.ts';
import { computeMetrics } from '../reporting/metrics/compute-metrics.ts';
import { writeResults } from '../reporting/results/write-results.ts';
import { formatSummaryTable } from '../reporting/results/report.ts';
import { summaryJson } from '../reporting/results/summary.ts';
import type { Logger } from '../observability/logger.ts';
import { AccountingWriter } from '../persistence/accounting-writer.ts';
import { openStateDb } from '../persistence/state-db.ts';
import { currentGitCommit, finishRun, insertRun } from '../persistence/runs.ts';
import { buildAccount } from './account.ts';
import { fillModelOf } from './component-options.ts';
import { fillModelAssumptions } from '../execution/assumptions.ts';
import { startStrategyHosts } from './hosts.ts';
import { loadBacktestCandles, loadFunding } from './market-data.ts';
import { newRunId } from './run-id.ts';
import { strategySpecs } from './strategy-specs.ts';

export interface BacktestOutcome {
  readonly runId: string;
  readonly resultsDir: string;
  readonly summary: Record<string, unknown>;
  readonly table: string;
  readonly candles: number;
  /** Phase timings in ms: reading the store, starting strategy hosts (process start), the candle
   *  loop (strategies, risk, fills, accounting), and metrics + results files. */
  readonly timings: { readonly loadMs: number; readonly hostStartMs: number; readonly loopMs: number; readonly resultsMs: number };
}

export interface BacktestInputs {
  readonly config: Config;
  readonly raw: RawConfig;
  readonly logger: Logger;
  /** Candles already in memory (benchmarks, parallel jobs); otherwise read from the store. */
  readonly candles?: ReadonlyMap<string, CandleColumns>;
  readonly runId?: string;
}

/**
 * A whole backtest: candles from the store (downloaded first when missing), strategies in their
 * hosts, the one candle loop with the simulated execution, accounting into State/trading.db,
 * metrics and results/<run-id>/.
 */
export async function runBacktest(inp: BacktestInputs): Promise<BacktestOutcome> {
  const { config, logger } = inp;
  const log = logger.child({ component: 'backtest' });
  const runId = inp.runId ?? newRunId('backtest');
  const iniText = resolvedIniText(inp.raw, config.strategies.enabled);
  const db = openStateDb(config.general.state_dir);
  insertRun(db, { id: runId, mode: 'backtest', startedAt: new Date().toISOString(), configSnapshot: iniText, gitCommit: currentGitCommit() });
  const hostsRef: { stop?: () => Promise<void> } = {};
  try {
    const tLoad = performance.now();
    const candles = inp.candles ?? (await loadBacktestCandles(config, log));
    const from = config.backtest.from!;
    const to = config.backtest.to!;
    const funding = await loadFunding(config, from, to);
    const symbols = [...candles.keys()];
    const tHosts = performance.now();
    const hosts = await startStrategyHosts(strategySpecs(config, symbols), config, log, { supervised: false });
    const hostStartMs = performance.now() - tHosts;
    hostsRef.stop = () => hosts.stop();
    const { portfolio, gate, execution } = buildAccount(config, config.backtest.initial_cash, log, (s) => funding.get(s));
    const sink = new AccountingWriter(db, runId, 'batch');
    const source = new ReplaySource(candles, hosts.usesFills ? 1 : config.backtest.batch_size);
    log.info({ runId, symbols, strategies: config.strategies.enabled, candles: source.length, isolation: config.strategies.isolation }, 'backtest started');

    const t0 = performance.now();
    const r = await runCandleLoop({
      source, hosts, execution, gate, portfolio, sink,
      clock: new SimulatedClock(),
      timeframeMs: timeframeMs(config.market.timeframe),
      atrPeriod: config.execution.atr_period,
      closeAtEnd: true,
    });
    await hosts.finish();
    const loopMs = performance.now() - t0;
    const tResults = performance.now();

    const benchmarkCloses = new Map([...candles].map(([s, c]) => [s, c.close] as const));
    const benchmarkTs = new Map([...candles].map(([s, c]) => [s, c.ts] as const));
    const equity = r.equity;
    const metrics = computeMetrics({
      equity,
      benchmarkTs,
      trades: r.trades,
      fills: r.fills,
      initialCash: config.backtest.initial_cash,
      timeframe: config.market.timeframe,
      benchmarkCloses,
    });
    const resultsDir = resolve(join(config.general.results_dir, runId));
    await writeResults(resultsDir, {
      configIni: iniText,
      metrics,
      trades: r.trades,
      fills: r.fills,
      equity,
      assumptions: fillModelAssumptions(fillModelOf(config)),
      runId,
    });
    db.prepare(`INSERT INTO backtest_summaries VALUES (?,?,?,?,?,?,?,?)`).run(
      runId, config.strategies.enabled.join(','), symbols.join(','), config.market.timeframe, from, to, JSON.stringify(metrics), resultsDir,
    );
    finishRun(db, runId, 'completed', new Date().toISOString());
    const resultsMs = performance.now() - tResults;
    const loadMs = tHosts - tLoad;
    log.info({ runId, candles: r.candles, fills: r.fills.length, trades: r.trades.length, loadMs, hostStartMs, loopMs, resultsMs }, 'backtest finished');
    return { runId, resultsDir, summary: summaryJson(runId, resultsDir, metrics), table: formatSummaryTable(metrics), candles: r.candles, timings: { loadMs, hostStartMs, loopMs, resultsMs } };
  } catch (e) {
    const err = isCtError(e) ? e : new CtError('CT_ERR_RUN_FAILED', `backtest ${runId} failed: ${(e as Error).message}`, { cause: e });
    finishRun(db, runId, 'failed', new Date().toISOString(), err.toLine());
    throw err;
  } finally {
    await hostsRef.stop?.().catch(() => undefined);
    db.close();
  }
}
