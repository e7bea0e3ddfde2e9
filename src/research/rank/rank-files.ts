import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvNum, csvText, num } from '../../reporting/results/format.ts';
import { roundedCopy } from '../../reporting/results/metrics-json.ts';
import { writeResultsDir } from '../../reporting/results/write-results.ts';
import { RANK_FEATURE_NAMES } from '../../strategy-sdk/ranking.ts';
import type { RankEvaluation } from './evaluate.ts';
import { aggregatedCurve, type RankMetrics } from './metrics.ts';

/**
 * results/<run-id>/ of a ranking run: config.ini, slices.csv (one row per selection, the same
 * rows as slice_results), curve.csv (each strategy's aggregated equal-weight curve per time) and
 * metrics.json (settings, gate counts and each strategy's metrics). None of them holds the run id
 * or a wall-clock time: the same config and candles give byte-identical files.
 */

export const SLICE_COLUMNS = [
  'strategy', 'seq', 'eval_ts', 'eval_time', 'symbol', 'rank', 'score', 'weight', 'entry_ts', 'exit_ts',
  'entry_price', 'exit_price', 'return_pct', 'max_drawdown_pct',
  ...RANK_FEATURE_NAMES, ...RANK_FEATURE_NAMES.map((f) => `norm_${f}`),
] as const;

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export function slicesCsv(ev: RankEvaluation): string {
  const lines = [SLICE_COLUMNS.join(',')];
  const seq = new Map<string, number>();
  for (const s of ev.slices) {
    const n = (seq.get(s.strategyId) ?? 0) + 1;
    seq.set(s.strategyId, n);
    lines.push([
      csvText(s.strategyId), String(n), String(s.t), iso(s.t), csvText(s.symbol), String(s.rank), csvNum(s.score), csvNum(s.weight), String(s.entryTs), String(s.exitTs),
      csvNum(s.entryPrice), csvNum(s.exitPrice), csvNum(s.returnPct), csvNum(s.maxDrawdownPct),
      ...RANK_FEATURE_NAMES.map((f) => csvNum(s.raw[f])), ...RANK_FEATURE_NAMES.map((f) => csvNum(s.norm[f])),
    ].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function curveCsv(ev: RankEvaluation, strategies: readonly string[]): string {
  const curves = strategies.map((id) => aggregatedCurve(ev.times, ev.slices.filter((s) => s.strategyId === id)));
  const lines = [['ts', 'time', ...strategies.flatMap((id) => [`${id}_return_pct`, `${id}_cumulative_pct`])].join(',')];
  ev.times.forEach((t, i) => {
    lines.push([String(t), iso(t), ...curves.flatMap((c) => [csvNum(c[i]!.return_pct), csvNum(c[i]!.cumulative_pct)])].join(','));
  });
  return `${lines.join('\n')}\n`;
}

export function metricsJsonText(settings: Record<string, unknown>, ev: RankEvaluation, metrics: readonly RankMetrics[]): string {
  const doc = { ...settings, evaluation_times: ev.times.length, skipped: ev.skipped, skipped_by_symbol: ev.skippedBySymbol, strategies: metrics };
  return `${JSON.stringify(roundedCopy(doc, 'metrics'), null, 2)}\n`;
}

/** The side-by-side table of the strategies (stdout). */
export function comparisonTable(metrics: readonly RankMetrics[]): string {
  const pct = (x: number | null): string => (x === null ? 'n/a' : `${num(x, 3)} %`);
  const rows: Array<[string, (m: RankMetrics) => string]> = [
    ['trades', (m) => String(m.trades)],
    ['coverage', (m) => (m.coverage_pct === null ? 'n/a' : `${num(m.coverage_pct, 1)} %`)],
    ['win rate', (m) => (m.win_rate_pct === null ? 'n/a' : `${num(m.win_rate_pct, 1)} %`)],
    ['avg return', (m) => pct(m.avg_return_pct)],
    ['median return', (m) => pct(m.median_return_pct)],
    ['profit factor', (m) => (m.profit_factor === null ? 'n/a' : num(m.profit_factor, 3))],
    ['max DD per trade', (m) => pct(m.max_drawdown_per_trade_pct)],
    ['max DD aggregated', (m) => `${num(m.max_drawdown_aggregated_pct, 2)} pp`],
    ['cumulative (sum)', (m) => `${num(m.cumulative_return_pct, 2)} %`],
    ['unmeasured', (m) => String(m.unmeasured)],
  ];
  const table = [['', ...metrics.map((m) => m.strategy)], ...rows.map(([label, f]) => [label, ...metrics.map(f)])];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  return table.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

/** Writes the folder with the results writer every run uses: atomically, never over another run's. */
export async function writeRankResults(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  await writeResultsDir(dir, (tmp) => {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(tmp, name), text);
  });
}
