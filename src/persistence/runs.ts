import type { RunMode } from '../domain/run-mode.ts';
import type { StateDb } from './state-db.ts';

/**
 * `crashed`: the process that ran it died without ending it (found at the next start);
 * `abandoned`: a later `--new-account` start gave up the account it traded.
 */
export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted' | 'crashed' | 'abandoned';

export interface RunRecord {
  readonly id: string;
  readonly mode: RunMode;
  readonly startedAt: string;
  readonly configSnapshot: string;
  readonly gitCommit: string | null;
}

/** Records a run as `running` when it starts; every exit path ends it with `finishRun`. */
export function insertRun(db: StateDb, r: RunRecord): void {
  db.prepare(`INSERT INTO runs (id, mode, started_at, status, config_snapshot, git_commit) VALUES (?, ?, ?, 'running', ?, ?)`).run(
    r.id, r.mode, r.startedAt, r.configSnapshot, r.gitCommit,
  );
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
