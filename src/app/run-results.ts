import { join, resolve } from 'node:path';
import { didYouMean } from '../config/did-you-mean.ts';
import { rawFromIniText, validateConfig, type RawConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { CtError } from '../core/errors.ts';
import type { Timeframe } from '../core/timeframe.ts';
import { fillModelAssumptions } from '../execution/assumptions.ts';
import { computeMetrics } from '../reporting/metrics/compute-metrics.ts';
import type { Metrics } from '../reporting/metrics/types.ts';
import { writeResults } from '../reporting/results/write-results.ts';
import { lastEquityOf, recentRunIds, runById, runIdsStartingWith, runRows, type RunListRow, type RunRows } from '../persistence/run-queries.ts';
import type { StateDb } from '../persistence/state-db.ts';
import { fillModelOf } from './component-options.ts';

/**
 * A run's report from its rows in the state DB, for every mode: the same Metrics record and the
 * same results files a backtest computes from its loop, here from the fills, trades and equity
 * rows the run committed. `runs show` prints it; a forward or dry-run daemon writes its
 * results/<run-id>/ with it when it stops, so both always agree.
 */
export interface RunReport {
  readonly run: RunListRow;
  readonly rows: RunRows;
  readonly metrics: Metrics;
  /** What the metrics count returns from: the mode's initial cash, or for a resumed account the
   *  equity of the run it continued (its last committed step). */
  readonly initialCash: number;
  readonly assumptions: readonly string[];
  /** The metrics are the backtest's own (backtest_summaries), not recomputed. */
  readonly fromBacktestSummary: boolean;
}

const CASH_SECTION: Record<string, string> = { backtest: 'backtest', 'dry-run': 'dry_run', forward: 'forward', live: 'forward' };

/** The run's config as it ran (its snapshot), validated when this version still accepts it. */
function snapshotConfig(text: string, runId: string): { raw: RawConfig; config: Config | undefined } {
  const raw = rawFromIniText(text);
  try {
    return { raw, config: validateConfig(rawFromIniText(text), `run ${runId} config snapshot`) };
  } catch {
    // A snapshot written by another version may not validate now; its plain values still serve.
    return { raw, config: undefined };
  }
}

export function buildRunReport(db: StateDb, run: RunListRow): RunReport {
  const rows = runRows(db, run.id);
  const { raw, config } = snapshotConfig(rows.configSnapshot, run.id);
  const section = CASH_SECTION[run.mode] ?? 'forward';
  const configured = Number(raw.get(section)?.get('initial_cash') ?? 10_000);
  const carried = run.resumedFrom !== null ? lastEquityOf(db, run.resumedFrom) : undefined;
  const initialCash = carried !== undefined && carried > 0 ? carried : configured;
  const timeframe = (config?.market.timeframe ?? raw.get('market')?.get('timeframe') ?? '1h') as Timeframe;
  const assumptions = config !== undefined ? fillModelAssumptions(fillModelOf(config)) : [];
  // A walk-forward stores its stitched out-of-sample metrics in the same shape as a backtest.
  const stored = run.mode === 'backtest' || run.mode === 'walkforward' ? backtestMetrics(db, run.id) : undefined;
  const metrics = stored ?? computeMetrics({
    equity: rows.equity,
    trades: rows.trades,
    fills: rows.fills,
    initialCash,
    timeframe,
    // Buy-and-hold over the candles the run traded (recorded by resumable accounts); without
    // them the benchmark is reported as not available, with its reason.
    benchmarkCloses: new Map([...rows.candles].map(([s, c]) => [s, c.close] as const)),
    benchmarkTs: new Map([...rows.candles].map(([s, c]) => [s, c.ts] as const)),
  });
  return { run, rows, metrics, initialCash, assumptions, fromBacktestSummary: stored !== undefined };
}

/** A backtest's metrics.json content as it wrote it (it saw the whole candle range for buy-and-hold). */
function backtestMetrics(db: StateDb, runId: string): Metrics | undefined {
  const r = db.prepare('SELECT metrics FROM backtest_summaries WHERE run_id = ?').get(runId) as { metrics: string } | undefined;
  return r === undefined ? undefined : (JSON.parse(r.metrics) as Metrics);
}

/**
 * The run an operator means by `idOrPrefix`: its exact id, or the one run whose id starts with it.
 * An unknown id (also when the state database does not exist yet) or an ambiguous prefix is bad
 * usage (exit 2) naming the value, with a did-you-mean over the recent ids.
 */
export function resolveRun(db: StateDb | undefined, idOrPrefix: string): RunListRow {
  const exact = db === undefined ? undefined : runById(db, idOrPrefix);
  if (exact !== undefined) return exact;
  const matches = db === undefined || idOrPrefix === '' ? [] : runIdsStartingWith(db, idOrPrefix, 6);
  if (matches.length === 1) return runById(db!, matches[0]!)!;
  if (matches.length > 1) {
    const n = matches.length > 5 ? 'more than 5' : String(matches.length);
    throw new CtError('CT_ERR_USAGE', `run id "${idOrPrefix}" is ambiguous: ${n} runs start with it (${matches.slice(0, 5).join(', ')}); give more of it`, { details: { id: idOrPrefix } });
  }
  const hint = db === undefined ? ' (the state database does not exist yet)' : didYouMean(idOrPrefix, recentRunIds(db, 50));
  throw new CtError('CT_ERR_USAGE', `run id "${idOrPrefix}": no such run in the state database${hint}`, { details: { id: idOrPrefix } });
}

/**
 * Writes results/<run-id>/ of a daemon run (forward, dry-run) from its committed rows, with the
 * writer a backtest uses: the same six files. Called from the mode's end of run, after the last
 * step was committed; returns the directory.
 */
export async function writeRunResults(db: StateDb, runId: string, resultsDir: string): Promise<string> {
  const run = runById(db, runId);
  if (run === undefined) throw new CtError('CT_ERR_INTERNAL', `results: run ${runId} has no row in the state database`);
  const r = buildRunReport(db, run);
  const dir = resolve(join(resultsDir, runId));
  await writeResults(dir, {
    configIni: r.rows.configSnapshot,
    metrics: r.metrics,
    trades: r.rows.trades,
    fills: r.rows.fills,
    equity: r.rows.equity,
    assumptions: r.assumptions,
    runId,
  });
  return dir;
}
