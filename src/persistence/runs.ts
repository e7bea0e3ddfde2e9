import { execFileSync } from 'node:child_process';
import type { RunMode } from '../domain/run-mode.ts';
import type { StateDb } from './state-db.ts';

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';

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

const commitByDir = new Map<string, string | null>();

/** The commit the daemon runs from, or null outside a git checkout. */
export function currentGitCommit(cwd = process.cwd()): string | null {
  // Once per process and directory: the code running is the code loaded at start, and spawning
  // git per run cost ~20 ms of every backtest in a sweep (7 % of a 32-job sweep's CPU).
  let c = commitByDir.get(cwd);
  if (c !== undefined) return c;
  try {
    c = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    c = null;
  }
  commitByDir.set(cwd, c);
  return c;
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
