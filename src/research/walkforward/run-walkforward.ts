/**
 * `walkforward`: the whole run. Plans the windows, validates every parameter set up front, reads
 * the candles once (into shared memory, so the pool's jobs do not copy them), evaluates every set
 * on every train window in parallel on the piscina pool, chooses per window, runs each choice on
 * its test window (in order: each starts from the equity the previous one ended with), stitches
 * the out-of-sample equity and writes results/<run-id>/. The walk-forward is ONE row in the runs
 * table (mode backtest, id walkforward-...) with its out-of-sample metrics as its backtest summary,
 * so it is listed by `runs` and the dashboard; the evaluations themselves leave no rows.
 */
import { join, resolve } from 'node:path';
import type { RawConfig } from '../../config/load.ts';
import { resolvedIniText } from '../../config/resolved.ts';
import type { Config } from '../../config/schema.ts';
import { codeUrl } from '../../core/code-location.ts';
import { CtError, isCtError } from '../../core/errors.ts';
import { firstAtOrAfter, sliceColumns, type CandleColumns } from '../../domain/candle.ts';
import type { Fill } from '../../domain/order.ts';
import type { Trade } from '../../domain/trade.ts';
import type { FundingHistory } from '../../execution/funding-schedule.ts';
import type { Logger } from '../../observability/logger.ts';
import { currentGitCommit } from '../../persistence/git-commit.ts';
import { finishRun, insertBacktestSummary, insertRun } from '../../persistence/runs.ts';
import { openStateDb } from '../../persistence/state-db.ts';
import { computeMetrics } from '../../reporting/metrics/compute-metrics.ts';
import { metricsToJson } from '../../reporting/results/metrics-json.ts';
import { runParallel } from '../../workers/parallel-backtests.ts';
import { loadBacktestCandles, loadFunding } from '../../app/market-data.ts';
import { describeStop, holdProcessStop, stopCauseOf } from '../../app/process-stop.ts';
import { newRunId } from '../../app/run-id.ts';
import { chooseBest, choiceDrift, type WindowChoice } from './choose.ts';
import { evaluateWindow, type EvaluationJob, type EvaluationResult } from './evaluate.ts';
import type { GridAxisInput } from './param-grid.ts';
import { planSearch, type SearchPlan } from './search-plan.ts';
import { stitchEquity } from './stitch.ts';
import { summarise, type WalkforwardSummary, type WindowRow } from './summary.ts';
import { writeWalkforwardResults } from './results-files.ts';
import { walkforwardReportHtml } from './report-page.ts';
import { planWindows, type WalkWindow } from './windows.ts';

export interface WalkforwardInputs {
  readonly configFile: string;
  /** The command line's overrides (globals and walkforward options as --set), applied to every evaluation. */
  readonly sets: readonly string[];
  readonly config: Config;
  readonly raw: RawConfig;
  readonly logger: Logger;
  readonly grid: readonly GridAxisInput[];
  readonly threads: number;
  /** Called as train evaluations finish (progress). */
  readonly onEvaluation?: (done: number, total: number) => void;
}

export interface WalkforwardOutcome {
  readonly runId: string;
  readonly resultsDir: string;
  readonly summary: WalkforwardSummary;
  readonly windows: readonly WindowRow[];
}

const JOB_MODULE = codeUrl('./evaluate.ts', import.meta.url).href;

/** Columns copied once into SharedArrayBuffers: a job's structured clone then shares them instead of copying. */
function sharedColumns(c: CandleColumns): CandleColumns {
  const share = (a: Float64Array): Float64Array => {
    const out = new Float64Array(new SharedArrayBuffer(a.length * 8));
    out.set(a.subarray(0, a.length));
    return out;
  };
  const n = c.length;
  return { length: n, ts: share(c.ts.subarray(0, n)), open: share(c.open.subarray(0, n)), high: share(c.high.subarray(0, n)), low: share(c.low.subarray(0, n)), close: share(c.close.subarray(0, n)), volume: share(c.volume.subarray(0, n)) };
}

/**
 * The choice on every window from its train candles only: every combination evaluated on
 * [trainFrom, trainTo) (plus the warm-up candles before it). Exported for the look-ahead test.
 */
export async function trainWindows(
  base: Pick<EvaluationJob, 'configFile' | 'sets' | 'candles' | 'funding' | 'initialCash'>,
  windows: readonly WalkWindow[],
  plan: SearchPlan,
  opts: {
    readonly threads: number; readonly minTrades: number; readonly objective: keyof EvaluationResult['objectives'];
    readonly onDone?: (done: number, total: number) => void;
    /** A stop (Ctrl-C): evaluations not started are not started, and the walk-forward ends interrupted. */
    readonly signal?: AbortSignal;
  },
): Promise<Array<{ readonly choice: WindowChoice; readonly results: EvaluationResult[] }>> {
  const jobs: EvaluationJob[] = [];
  for (const w of windows) {
    for (const c of plan.combos) jobs.push({ ...base, sets: [...base.sets, ...c.overrides], from: w.trainFrom, to: w.trainTo, keepDetail: false });
  }
  const outcomes = await runParallel<EvaluationJob, EvaluationResult>(jobs, {
    threads: opts.threads, jobModule: JOB_MODULE, exportName: 'evaluateWindow', ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onDone ? { onJobDone: (_i: number, done: number, total: number) => opts.onDone!(done, total) } : {}),
  });
  if (opts.signal?.aborted) throw new WalkforwardStopped();
  const failed = outcomes.find((o) => !o.ok);
  if (failed !== undefined && !failed.ok) throw failed.error;
  const n = plan.combos.length;
  return windows.map((_, k) => {
    const results = outcomes.slice(k * n, (k + 1) * n).map((o) => (o.ok ? o.value : undefined)!);
    const scores = results.map((r) => ({ objective: r.objectives[opts.objective], trades: r.trades }));
    return { choice: chooseBest(plan.combos, scores, opts.minTrades), results };
  });
}

/** Thrown when a stop was requested: the run row ends `interrupted` and nothing is written. */
class WalkforwardStopped extends Error {}

export async function runWalkforward(inp: WalkforwardInputs): Promise<WalkforwardOutcome> {
  const { config } = inp;
  const wf = config.walkforward;
  const from = config.backtest.from!;
  const to = config.backtest.to!;
  const windows = planWindows({ from, to, trainDays: wf.train_days, testDays: wf.test_days, stepDays: wf.step_days, windows: wf.windows });
  const plan = await planSearch(inp);
  const log = inp.logger.child({ component: 'walkforward' });
  const runId = newRunId('walkforward');
  const db = openStateDb(config.general.state_dir, { busyTimeoutMs: config.general.db_busy_timeout_ms });
  const stops = holdProcessStop();
  try {
    insertRun(db, { id: runId, mode: 'walkforward', startedAt: new Date().toISOString(), configSnapshot: resolvedIniText(inp.raw, config.strategies.enabled), gitCommit: currentGitCommit(), pid: process.pid });
    try {
      const out = await walk(inp, runId, windows, plan, log, stops.signal);
      insertBacktestSummary(db, {
        runId, strategies: config.strategies.enabled, symbols: config.market.symbols, timeframe: config.market.timeframe,
        fromTs: windows[0]!.testFrom, toTs: windows.at(-1)!.testTo, metricsJson: JSON.stringify(out.metrics), resultsDir: out.resultsDir,
      });
      finishRun(db, runId, 'completed', new Date().toISOString());
      return { runId, resultsDir: out.resultsDir, summary: out.summary, windows: out.windows };
    } catch (e) {
      if (e instanceof WalkforwardStopped || stops.signal.aborted) {
        const how = describeStop(stopCauseOf(stops.signal));
        finishRun(db, runId, 'interrupted', new Date().toISOString(), `stopped (${how}) before the end: no results written`);
        throw new CtError('CT_ERR_RUN_FAILED', `walkforward ${runId} interrupted (${how}): no results written`);
      }
      const err = isCtError(e) ? e : new CtError('CT_ERR_RUN_FAILED', `walkforward ${runId} failed: ${(e as Error).message}`, { cause: e });
      finishRun(db, runId, 'failed', new Date().toISOString(), err.toLine());
      throw err;
    }
  } finally {
    stops.release();
    db.close();
  }
}

async function walk(inp: WalkforwardInputs, runId: string, windows: readonly WalkWindow[], plan: SearchPlan, log: Logger, signal: AbortSignal) {
  const { config } = inp;
  const wf = config.walkforward;
  const loaded = await loadBacktestCandles(config, log);
  const candles = new Map([...loaded].map(([s, c]) => [s, sharedColumns(c)] as const));
  const fundingMap = await loadFunding(config, config.backtest.from!, config.backtest.to!);
  const funding: Array<readonly [string, FundingHistory | undefined]> = [...fundingMap];
  const base = { configFile: inp.configFile, sets: [...inp.sets], candles: [...candles], funding, initialCash: config.backtest.initial_cash };
  log.info({ runId, windows: windows.length, combinations: plan.combos.length, evaluations: windows.length * plan.combos.length, threads: inp.threads }, 'walkforward started');
  const trained = await trainWindows(base, windows, plan, { threads: inp.threads, minTrades: wf.min_trades, objective: wf.objective, signal, ...(inp.onEvaluation ? { onDone: inp.onEvaluation } : {}) });

  // Test windows in order, each from the equity the previous one ended with.
  let equity = config.backtest.initial_cash;
  const tests: Array<EvaluationResult | undefined> = [];
  for (let k = 0; k < windows.length; k++) {
    if (signal.aborted) throw new WalkforwardStopped();
    const w = windows[k]!;
    const chosen = trained[k]!.choice.chosen;
    if (chosen === null) {
      tests.push(undefined);
      continue;
    }
    const r = await evaluateWindow({ ...base, sets: [...base.sets, ...plan.combos[chosen]!.overrides], from: w.testFrom, to: w.testTo, initialCash: equity, keepDetail: true });
    tests.push(r);
    if (r.steps > 0) equity = r.finalEquity;
  }
  const stitched = stitchEquity(windows.map((w, k) => ({ from: w.testFrom, to: w.testTo, ...(tests[k]?.detail ? { run: tests[k].detail } : {}) })), candles, config.backtest.initial_cash);
  const trades: Trade[] = tests.flatMap((t) => t?.detail?.trades ?? []);
  const fills: Fill[] = tests.flatMap((t) => t?.detail?.fills ?? []);
  const bhTs = Float64Array.from(stitched.marks.map((m) => m.ts));
  const metrics = computeMetrics({
    equity: stitched.marks, trades, fills, initialCash: config.backtest.initial_cash, timeframe: config.market.timeframe,
    // Buy-and-hold over the same stitched test spans (stitch.ts), as one series.
    benchmarkCloses: new Map([['buy_and_hold_test_spans', stitched.buyAndHold]]),
    benchmarkTs: new Map([['buy_and_hold_test_spans', bhTs]]),
  });
  const { summary, rows } = summarise({ config, windows, plan, trained, tests, stitched, metrics, drift: choiceDrift(plan.axes, plan.combos, trained.map((t) => t.choice.chosen)) });
  const resultsDir = resolve(join(config.general.results_dir, runId));
  const oosFrom = windows[0]!.testFrom, oosTo = windows.at(-1)!.testTo;
  const oosCandles = new Map([...candles].map(([s, c]) => [s, sliceColumns(c, firstAtOrAfter(c.ts, oosFrom), firstAtOrAfter(c.ts, oosTo))] as const));
  const reportHtml = config.report.html ? walkforwardReportHtml({ summary, rows, stitched, candles: oosCandles, trades, fills }) : undefined;
  await writeWalkforwardResults(resultsDir, { rows, stitched, metricsJson: metricsToJson(metrics), summary, configIni: resolvedIniText(inp.raw, config.strategies.enabled), trades, fills, ...(reportHtml !== undefined ? { reportHtml } : {}) });
  log.info({ runId, windows: windows.length, chosen: rows.filter((r) => r.params !== null).length }, 'walkforward finished');
  return { resultsDir, summary, windows: rows, metrics };
}
