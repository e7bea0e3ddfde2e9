import type { RUN_KINDS } from '../domain/run-mode.ts';
import type { StateDb } from './state-db.ts';

/**
 * `crashed`: the process that ran it died without ending it (found at the next start);
 * `abandoned`: a later `--new-account` start gave up the account it traded.
 */
export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted' | 'crashed' | 'abandoned';

export interface RunRecord {
  readonly id: string;
  /** A session's mode, or a research run's kind (walkforward, rank). */
  readonly mode: (typeof RUN_KINDS)[number];
  readonly startedAt: string;
  readonly configSnapshot: string;
  readonly gitCommit: string | null;
  /** The process that runs it: the next start tells a live run from one whose process died by it. */
  readonly pid: number;
}

/** Records a run as `running` when it starts; every exit path ends it with `finishRun`. */
export function insertRun(db: StateDb, r: RunRecord): void {
  db.prepare(`INSERT INTO runs (id, mode, started_at, status, config_snapshot, git_commit, pid) VALUES (?, ?, ?, 'running', ?, ?, ?)`).run(
    r.id, r.mode, r.startedAt, r.configSnapshot, r.gitCommit, r.pid,
  );
}

/** A run still marked `running`: live, or left so by a process that died. */
export interface RunningRun {
  readonly id: string;
  readonly mode: string;
  readonly startedAt: string;
  /** Null for rows written before the schema recorded it. */
  readonly pid: number | null;
  /** Candle time of its last committed step (durable runs), null when none was committed. */
  readonly lastStepTs: number | null;
}

export function runningRuns(db: StateDb): RunningRun[] {
  return db.prepare(`SELECT id, mode, started_at AS startedAt, pid, last_step_ts AS lastStepTs FROM runs WHERE status = 'running' ORDER BY started_at, id`).all() as RunningRun[];
}

/**
 * Ends a run whose process is gone as `crashed`, with `note` (what was found) as its error line.
 * Only while it is still `running`: a run that ended on its own meanwhile keeps its status.
 */
export function markCrashed(db: StateDb, id: string, endedAt: string, note: string): boolean {
  return db.prepare(`UPDATE runs SET status = 'crashed', ended_at = ?, error = ? WHERE id = ? AND status = 'running'`).run(endedAt, note, id).changes === 1;
}

/** Ends a run: `completed`, `interrupted` (a stop was requested) or `failed` (with the error's one line). */
export function finishRun(db: StateDb, id: string, status: Exclude<RunStatus, 'running'>, endedAt: string, error?: string): void {
  db.prepare(`UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE id = ?`).run(status, endedAt, error ?? null, id);
}

export interface BacktestSummaryRecord {
  readonly runId: string;
  readonly strategies: readonly string[];
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly fromTs: number;
  readonly toTs: number;
  /** metrics.json's content. */
  readonly metricsJson: string;
  readonly resultsDir: string;
}

/** The index row of a backtest's results (what ran, on what, and where its files are). */
export function insertBacktestSummary(db: StateDb, r: BacktestSummaryRecord): void {
  db.prepare(`INSERT INTO backtest_summaries (run_id, strategies, symbols, timeframe, from_ts, to_ts, metrics, results_dir) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    r.runId, r.strategies.join(','), r.symbols.join(','), r.timeframe, r.fromTs, r.toTs, r.metricsJson, r.resultsDir,
  );
}
