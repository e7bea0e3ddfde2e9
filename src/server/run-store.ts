import { join, resolve } from 'node:path';
import { rawFromIniText } from '../config/load.ts';
import { listRuns, openStateDbReadOnly, runById, type RunListRow } from '../persistence/run-queries.ts';
import type { StateDb } from '../persistence/state-db.ts';

/**
 * What the dashboard reads from State/trading.db. The database is written by other processes (a
 * daemon trading, the backtests the dashboard started), so it is opened read-only for each
 * request: a WAL reader beside the one writer, never holding its lock, and always seeing the
 * latest committed step. Nothing here writes.
 */

/**
 * The headline metrics a run list shows and compares, as paths into metrics.json (the Metrics
 * record; fractions stay fractions). Any of them may be absent or null on a run: a summary
 * written by another kind of run, or with fields of its own, shows what it has.
 */
export const HEADLINE_METRICS = [
  'returns.totalReturn', 'returns.cagr', 'drawdown.maxDrawdown', 'returns.sharpe', 'returns.sortino', 'returns.calmar',
  'trades.count', 'trades.winRate', 'trades.profitFactor', 'trades.expectancy', 'returns.finalEquity', 'costs.fees', 'benchmark.totalReturn',
] as const;

export interface DashboardRun {
  readonly id: string;
  readonly mode: string;
  readonly status: string;
  readonly account: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly lastStepTs: number | null;
  readonly equity: number | null;
  readonly openPositions: number;
  readonly fills: number;
  readonly error: string | null;
  readonly strategies: string[];
  readonly symbols: string[];
  readonly timeframe: string | null;
  readonly fromTs: number | null;
  readonly toTs: number | null;
  /** Only the numeric headline metrics the run has; a summary with other or missing fields is fine. */
  readonly metrics: Record<string, number>;
  /** Its results folder (server side only: the page gets the names of the files in it). */
  readonly resultsDir: string;
}

interface SummaryRow {
  run_id: string;
  strategies: string;
  symbols: string;
  timeframe: string;
  from_ts: number | null;
  to_ts: number | null;
  metrics: string;
  results_dir: string;
}

/**
 * The metrics of a run without a backtest summary (dry-run, forward, live), from its committed
 * rows: the caller gives the application's own computation (what `runs show` prints), which this
 * layer may not import.
 */
export type RunMetricsOf = (db: StateDb, run: RunListRow) => unknown;

export class RunStore {
  /** Daemon-run metrics by run and how far it got: recomputed only when it committed more. */
  private readonly computed = new Map<string, { key: string; metrics: Record<string, number> }>();

  constructor(
    private readonly stateDir: string,
    private readonly resultsDir: string,
    private readonly busyTimeoutMs: number,
    private readonly metricsOf?: RunMetricsOf,
  ) {}

  private runMetrics(db: StateDb, r: RunListRow, s: SummaryRow | undefined): Record<string, number> {
    if (s !== undefined || this.metricsOf === undefined) return headline(s?.metrics);
    const key = `${r.status}|${String(r.lastStepTs)}|${r.fills}|${String(r.equity)}`;
    const hit = this.computed.get(r.id);
    if (hit?.key === key) return hit.metrics;
    let metrics: Record<string, number>;
    try {
      metrics = headline(JSON.stringify(this.metricsOf(db, r)));
    } catch {
      // A run whose rows cannot be reported (written by another version) is still listed, without metrics.
      metrics = {};
    }
    this.computed.set(r.id, { key, metrics });
    return metrics;
  }

  /** Runs the callback on a fresh read-only connection; `fallback` when no run was ever made. */
  private read<T>(fallback: T, fn: (db: StateDb) => T): T {
    const db = openStateDbReadOnly(this.stateDir, this.busyTimeoutMs);
    if (db === undefined) return fallback;
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }

  /** Every run of every mode, newest first, with what ran (strategies, symbols) and its headline metrics. */
  list(): DashboardRun[] {
    return this.read([], (db) => {
      const summaries = new Map((db.prepare('SELECT * FROM backtest_summaries').all() as SummaryRow[]).map((s) => [s.run_id, s]));
      const snapshots = new Map((db.prepare('SELECT id, config_snapshot AS s FROM runs').all() as Array<{ id: string; s: string }>).map((r) => [r.id, r.s]));
      return listRuns(db, { limit: 0 }).map((r) => dashboardRun(r, summaries.get(r.id), snapshots.get(r.id) ?? '', this.runMetrics(db, r, summaries.get(r.id)), this.resultsDir));
    });
  }

  /** One run by its exact id (no prefix matching: ids come from the list), or undefined. */
  get(id: string): DashboardRun | undefined {
    return this.read(undefined, (db) => {
      const r = runById(db, id);
      if (r === undefined) return undefined;
      const summary = db.prepare('SELECT * FROM backtest_summaries WHERE run_id = ?').get(id) as SummaryRow | undefined;
      const snap = (db.prepare('SELECT config_snapshot AS s FROM runs WHERE id = ?').get(id) as { s: string }).s;
      return dashboardRun(r, summary, snap, this.runMetrics(db, r, summary), this.resultsDir);
    });
  }

  /** The run's equity curve, thinned to at most `maxPoints` (the last point is always kept). */
  equity(id: string, maxPoints = 1500): Array<{ ts: number; equity: number; drawdown: number }> {
    return this.read([], (db) => {
      const n = (db.prepare('SELECT COUNT(*) AS n FROM equity WHERE run_id = ?').get(id) as { n: number }).n;
      const every = Math.max(1, Math.ceil(n / maxPoints));
      // Every k-th row by its position in time, and the last one, so a thinned curve still ends where the run stands.
      return db
        .prepare(`SELECT ts, equity, drawdown FROM (SELECT ts, equity, drawdown, ROW_NUMBER() OVER (ORDER BY ts) - 1 AS i FROM equity WHERE run_id = ?) WHERE i % ? = 0 OR i = ? - 1 ORDER BY ts`)
        .all(id, every, n) as Array<{ ts: number; equity: number; drawdown: number }>;
    });
  }

  /** What a running run is doing: its open positions and its most recent signals. */
  activity(id: string, signals = 20): { positions: unknown[]; signals: unknown[] } {
    return this.read({ positions: [], signals: [] }, (db) => ({
      positions: db.prepare('SELECT strategy_id AS strategy, symbol, qty, avg_price AS avgPrice, updated_ts AS updatedTs FROM positions WHERE run_id = ? AND qty <> 0 ORDER BY strategy_id, symbol').all(id),
      signals: db.prepare('SELECT ts, strategy_id AS strategy, symbol, kind, target_exposure AS targetExposure, stop, take_profit AS takeProfit, reason FROM signals WHERE run_id = ? ORDER BY ts DESC, rowid DESC LIMIT ?').all(id, signals),
    }));
  }

  /**
   * The run a process with this pid is recording (the backtests the dashboard starts). Only runs
   * started at or after `sinceIso`: pids are reused, and an old run of another process with the
   * same pid is not this one.
   */
  runOfPid(pid: number, sinceIso: string): { id: string; status: string; lastStepTs: number | null } | undefined {
    return this.read(undefined, (db) => {
      const r = db.prepare('SELECT id FROM runs WHERE pid = ? AND started_at >= ? ORDER BY started_at DESC, rowid DESC LIMIT 1').get(pid, sinceIso) as { id: string } | undefined;
      if (r === undefined) return undefined;
      const row = runById(db, r.id)!;
      return { id: row.id, status: row.status, lastStepTs: row.lastStepTs };
    });
  }
}

function dashboardRun(r: RunListRow, s: SummaryRow | undefined, snapshot: string, metrics: Record<string, number>, resultsRoot: string): DashboardRun {
  // Daemon runs have no backtest summary: what they ran comes from their config snapshot.
  const raw = s === undefined ? safeIni(snapshot) : undefined;
  const list = (v: string | undefined): string[] => (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
  return {
    id: r.id, mode: r.mode, status: r.status, account: r.account, startedAt: r.startedAt, endedAt: r.endedAt,
    lastStepTs: r.lastStepTs, equity: r.equity, openPositions: r.openPositions, fills: r.fills, error: r.error,
    strategies: list(s?.strategies ?? raw?.get('strategies')?.get('enabled')),
    // A dry-run trades the synthetic stream's own symbols (dry_run.symbols), every other mode market.symbols.
    symbols: list(s?.symbols ?? raw?.get(r.mode === 'dry-run' ? 'dry_run' : 'market')?.get('symbols')),
    timeframe: s?.timeframe ?? raw?.get('market')?.get('timeframe') ?? null,
    fromTs: s?.from_ts ?? null,
    toTs: s?.to_ts ?? null,
    metrics,
    // The folder its backtest summary names, else results_dir/<run id> (where a daemon run writes its files when it ends).
    resultsDir: s?.results_dir ?? resolve(join(resultsRoot, r.id)),
  };
}

function safeIni(text: string): ReturnType<typeof rawFromIniText> | undefined {
  try {
    return rawFromIniText(text);
  } catch {
    return undefined;
  }
}

/** The numeric headline metrics of a metrics.json text; anything unparsable or non-numeric is left out. */
function headline(text: string | undefined): Record<string, number> {
  if (text === undefined) return {};
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return {};
  }
  if (m === null || typeof m !== 'object') return {};
  const out: Record<string, number> = {};
  for (const k of HEADLINE_METRICS) {
    const [group, key] = k.split('.') as [string, string];
    const g = (m as Record<string, unknown>)[group];
    const v = g !== null && typeof g === 'object' ? (g as Record<string, unknown>)[key] : undefined;
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return out;
}
