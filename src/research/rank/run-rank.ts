import { join, resolve } from 'node:path';
import type { RawConfig } from '../../config/load.ts';
import { resolvedIniText } from '../../config/resolved.ts';
import type { Config } from '../../config/schema.ts';
import { CtError, isCtError } from '../../core/errors.ts';
import { isoUtc } from '../../core/time.ts';
import { timeframeMs } from '../../core/timeframe.ts';
import type { CandleColumns } from '../../domain/candle.ts';
import { resample } from '../../data/resample.ts';
import type { Logger } from '../../observability/logger.ts';
import { currentGitCommit } from '../../persistence/git-commit.ts';
import { finishRun, insertRun } from '../../persistence/runs.ts';
import { openStateDb } from '../../persistence/state-db.ts';
import { crossParamProblem } from '../../strategies/cross-param-check.ts';
import { loadStrategy, resolveStrategySource } from '../../strategies/loader.ts';
import { validateParams } from '../../strategy-sdk/schema.ts';
import { loadBacktestCandles } from '../../app/market-data.ts';
import { newRunId } from '../../app/run-id.ts';
import { evaluateRanking, type RankEvaluation, type RankSettings, type RankStrategy } from './evaluate.ts';
import { strategyMetrics, type RankMetrics } from './metrics.ts';
import { comparisonTable, curveCsv, metricsJsonText, slicesCsv, writeRankResults } from './rank-files.ts';
import { rankReportHtml } from './rank-report.ts';
import { insertRankMetrics, insertSlices } from './rank-store.ts';

/**
 * A ranking run end to end: the ranking strategies (loaded and validated like every strategy),
 * the base candles of rank.symbols (from the store, auto-downloaded like a backtest's), the
 * feature candles aggregated from them in memory (never stored), the evaluation, then the run's
 * rows in the state database and its results folder.
 */

export interface RankRunResult {
  readonly runId: string;
  readonly resultsDir: string;
  readonly evaluation: RankEvaluation;
  readonly metrics: readonly RankMetrics[];
  readonly table: string;
  readonly summary: Record<string, unknown>;
}

/** Loads each id as a ranking strategy with its [strategy.<id>] parameters; exit 2 for a non-ranking one. */
export async function loadRankStrategies(config: Config): Promise<RankStrategy[]> {
  const customDir = resolve(config.strategies.custom_dir);
  const out: RankStrategy[] = [];
  const twice = config.rank.strategies.find((id, i) => config.rank.strategies.indexOf(id) !== i);
  if (twice !== undefined) throw new CtError('CT_ERR_USAGE', `rank.strategies: ${twice} is named twice (each strategy is one column of the comparison)`, { details: { value: twice } });
  for (const id of config.rank.strategies) {
    const loaded = await loadStrategy(resolveStrategySource(id, customDir));
    const hook = loaded.def.rank;
    if (hook === undefined) {
      throw new CtError('CT_ERR_USAGE', `rank.strategies: ${id} is not a ranking strategy (it has no rank() hook; \`strategies list\` marks the ranking ones)`, { details: { value: id } });
    }
    const params = validateParams(loaded.schema, config.strategy[id] ?? {});
    const problem = crossParamProblem(loaded.def, params, id);
    if (problem !== undefined) throw new CtError('CT_ERR_STRATEGY_PARAM_INVALID', problem.message, { details: { key: problem.key } });
    out.push({ id, rank: (snap) => hook(snap, params) });
  }
  return out;
}

/** The settings of the evaluation from the config; usage errors name the key. */
export function rankSettings(config: Config): RankSettings {
  const from = config.backtest.from, to = config.backtest.to;
  if (from === undefined || from === null || to === undefined || to === null) throw new CtError('CT_ERR_USAGE', 'rank needs a range: give --from and --to (or backtest.from / backtest.to)');
  const baseMs = timeframeMs(config.market.timeframe);
  const featureMs = timeframeMs(config.rank.feature_timeframe);
  if (featureMs < baseMs || featureMs % baseMs !== 0) {
    throw new CtError('CT_ERR_USAGE', `rank.feature_timeframe = ${config.rank.feature_timeframe}: must be a whole multiple of market.timeframe (${config.market.timeframe})`, { details: { value: config.rank.feature_timeframe } });
  }
  if (config.rank.window_hours * 3_600_000 < baseMs) {
    throw new CtError('CT_ERR_USAGE', `rank.window_hours = ${config.rank.window_hours}: shorter than one base candle (${config.market.timeframe})`, { details: { value: config.rank.window_hours } });
  }
  return {
    symbols: config.rank.symbols, baseMs, featureMs, from, to,
    shiftHours: config.rank.shift_hours, windowHours: config.rank.window_hours, maxPositions: config.rank.max_positions,
    maxAtrPct: config.rank.max_atr_pct, minVolume: config.rank.min_volume, normalize: config.rank.normalize,
    lookbackCandles: config.rank.lookback_candles,
    costs: { fee: config.execution.fee_bps / 10_000, slippage: config.execution.slippage_bps / 10_000 },
  };
}

/** What ran on what: the head of metrics.json and of the --json summary (no run id, no clock). */
function settingsDoc(config: Config, s: RankSettings, strategies: readonly string[]): Record<string, unknown> {
  return {
    from: isoUtc(s.from), to: isoUtc(s.to), symbols: s.symbols, ranking_strategies: strategies, base_timeframe: config.market.timeframe,
    feature_timeframe: config.rank.feature_timeframe, shift_hours: s.shiftHours, window_hours: s.windowHours,
    max_positions: s.maxPositions, max_atr_pct: s.maxAtrPct, min_volume: s.minVolume, normalize: s.normalize,
    lookback_candles: s.lookbackCandles, fee_bps: config.execution.fee_bps, slippage_bps: config.execution.slippage_bps,
    data_exchange: config.backtest.data_exchange, market: config.exchange.market,
  };
}

export async function runRank(inp: { config: Config; raw: RawConfig; logger: Logger }): Promise<RankRunResult> {
  const { config, raw, logger } = inp;
  const settings = rankSettings(config);
  const strategies = await loadRankStrategies(config);
  const t0 = performance.now();
  const base = await loadBacktestCandles({ ...config, market: { ...config.market, symbols: config.rank.symbols } }, logger);
  const feature = new Map<string, CandleColumns>();
  for (const [symbol, c] of base) {
    feature.set(symbol, settings.featureMs === settings.baseMs ? c : resample(c, config.market.timeframe, config.rank.feature_timeframe));
  }
  const loadMs = performance.now() - t0;

  const db = openStateDb(config.general.state_dir, { busyTimeoutMs: config.general.db_busy_timeout_ms });
  const runId = newRunId('rank');
  const configIni = resolvedIniText(raw, config.rank.strategies);
  insertRun(db, { id: runId, mode: 'rank', startedAt: new Date().toISOString(), configSnapshot: configIni, gitCommit: currentGitCommit(), pid: process.pid });
  try {
    const t1 = performance.now();
    const ids = strategies.map((x) => x.id);
    const evaluation = evaluateRanking(base, feature, settings, strategies);
    const metrics = ids.map((id) => strategyMetrics(evaluation, id));
    const evalMs = performance.now() - t1;
    const resultsDir = resolve(join(config.general.results_dir, runId));
    const head = settingsDoc(config, settings, ids);
    const metricsText = metricsJsonText(head, evaluation, metrics);
    const t2 = performance.now();
    const files: Record<string, string> = { 'config.ini': configIni, 'slices.csv': slicesCsv(evaluation), 'curve.csv': curveCsv(evaluation, ids), 'metrics.json': metricsText };
    if (config.report.html) files['report.html'] = rankReportHtml({ settings: head, evaluation, metrics });
    await writeRankResults(resultsDir, files);
    const filesMs = performance.now() - t2;
    insertSlices(db, runId, evaluation.slices);
    insertRankMetrics(db, runId, metrics);
    // The results index every run kind shares (runs show, the dashboard): metrics.json's content.
    db.prepare(`INSERT INTO backtest_summaries (run_id, strategies, symbols, timeframe, from_ts, to_ts, metrics, results_dir) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
      runId, ids.join(','), settings.symbols.join(','), config.market.timeframe, settings.from, settings.to, metricsText, resultsDir,
    );
    finishRun(db, runId, 'completed', new Date().toISOString());
    const dbMs = performance.now() - t2 - filesMs;
    logger.info({ runId, times: evaluation.times.length, slices: evaluation.slices.length, loadMs, evalMs, filesMs, dbMs }, 'rank finished');
    const summary = { run_id: runId, results_dir: resultsDir, ...JSON.parse(metricsText) as Record<string, unknown> };
    return { runId, resultsDir, evaluation, metrics, table: comparisonTable(metrics), summary };
  } catch (e) {
    finishRun(db, runId, 'failed', new Date().toISOString(), isCtError(e) ? e.toLine() : e instanceof Error ? e.message : String(e));
    throw e;
  } finally {
    db.close();
  }
}
