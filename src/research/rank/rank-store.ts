import type { StateDb } from '../../persistence/state-db.ts';
import type { Slice } from './evaluate.ts';
import type { RankMetrics } from './metrics.ts';

/**
 * A ranking run in the state database: its run row (mode `rank`, inserted with insertRun, so `runs`
 * and the dashboard list it beside backtests), its slices (slice_results) and its per-strategy
 * metrics (rank_metrics).
 */
/** The features column: raw and normalised, in RANK_FEATURE_NAMES order (the order of the objects). */
export function featuresJson(s: Slice): string {
  return JSON.stringify({ raw: s.raw, norm: s.norm });
}

/** Slices numbered per strategy in time order (seq 1, 2, ...), as in slices.csv. */
export function insertSlices(db: StateDb, runId: string, slices: readonly Slice[]): void {
  const ins = db.prepare(`INSERT INTO slice_results (run_id, strategy_id, seq, eval_ts, symbol, entry_ts, exit_ts, entry_price, exit_price, return_pct, max_drawdown_pct, rank, score, weight, features)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const seq = new Map<string, number>();
  db.transaction(() => {
    for (const s of slices) {
      const n = (seq.get(s.strategyId) ?? 0) + 1;
      seq.set(s.strategyId, n);
      ins.run(runId, s.strategyId, n, s.t, s.symbol, s.entryTs, s.exitTs, s.entryPrice, s.exitPrice, s.returnPct, s.maxDrawdownPct, s.rank, s.score, s.weight, featuresJson(s));
    }
  })();
}

export function insertRankMetrics(db: StateDb, runId: string, metrics: readonly RankMetrics[]): void {
  const ins = db.prepare(`INSERT INTO rank_metrics (run_id, strategy_id, metrics) VALUES (?, ?, ?)`);
  db.transaction(() => {
    for (const m of metrics) ins.run(runId, m.strategy, JSON.stringify(m));
  })();
}

/** The per-strategy metrics of a ranking run, in strategy order of the run (`runs show`). */
export function rankMetricsOf(db: StateDb, runId: string): RankMetrics[] {
  const rows = db.prepare(`SELECT metrics FROM rank_metrics WHERE run_id = ? ORDER BY rowid`).all(runId) as Array<{ metrics: string }>;
  return rows.map((r) => JSON.parse(r.metrics) as RankMetrics);
}
