import { renderReportPage } from '../../reporting/html/page.ts';
import { dataTableSection, lineChartSection, metricsSection, notesSection, type TableRow } from '../../reporting/html/sections.ts';
import type { RankEvaluation } from './evaluate.ts';
import { aggregatedCurve, type RankMetrics } from './metrics.ts';

/**
 * report.html of a ranking run, from the shared report page API: the strategies side by side,
 * each strategy's cumulative slice curve (the aggregated equal-weight curve of metrics.ts), the
 * distribution of slice returns, the settings and gate counts, and how to read it all.
 */

const pct = (x: number | null, d = 3): string => (x === null ? '–' : `${x.toFixed(d)}%`);

/** Slice-return bins of 0.5 percentage points, the outer ones open-ended. */
const EDGES = [-3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3];

function binLabel(i: number): string {
  if (i === 0) return `< ${EDGES[0]}%`;
  if (i === EDGES.length) return `>= ${EDGES.at(-1)}%`;
  return `${EDGES[i - 1]}% .. ${EDGES[i]}%`;
}

function binOf(r: number): number {
  let i = 0;
  while (i < EDGES.length && r >= EDGES[i]!) i++;
  return i;
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (pos - lo);
}

export function rankReportHtml(o: { settings: Record<string, unknown>; evaluation: RankEvaluation; metrics: readonly RankMetrics[] }): string {
  const { settings: s, evaluation: ev, metrics } = o;
  const ids = metrics.map((m) => m.strategy);
  const per = new Map(ids.map((id) => [id, ev.slices.filter((x) => x.strategyId === id)]));
  const rowsOf: Array<[string, (m: RankMetrics) => string]> = [
    ['trades', (m) => String(m.trades)],
    ['coverage', (m) => pct(m.coverage_pct, 1)],
    ['win rate', (m) => pct(m.win_rate_pct, 1)],
    ['average return', (m) => pct(m.avg_return_pct)],
    ['median return', (m) => pct(m.median_return_pct)],
    ['profit factor', (m) => (m.profit_factor === null ? '–' : m.profit_factor.toFixed(3))],
    ['max drawdown per trade', (m) => pct(m.max_drawdown_per_trade_pct)],
    ['max drawdown aggregated', (m) => `${m.max_drawdown_aggregated_pct.toFixed(2)} pp`],
    ['cumulative (summed)', (m) => pct(m.cumulative_return_pct, 2)],
    ['unmeasured', (m) => String(m.unmeasured)],
  ];
  const comparison = dataTableSection({
    id: 'comparison', title: 'Strategies side by side',
    columns: [{ label: 'metric', align: 'left' }, ...ids.map((id) => ({ label: id }))],
    rows: rowsOf.map(([label, f]) => ({ cells: [label, ...metrics.map(f)] })),
    visibleRows: rowsOf.length,
    caption: 'Every metric is per slice (one selection held over one window) unless it says aggregated.',
  });
  const curve = lineChartSection({
    id: 'curve', title: 'Cumulative slice return per strategy', format: 'percent', syncGroup: 'rank',
    series: ids.map((id) => {
      const c = aggregatedCurve(ev.times, per.get(id)!);
      return { name: id, ts: c.map((p) => p.t), values: c.map((p) => p.cumulative_pct / 100) };
    }),
    caption: 'At each evaluation time: the mean return of that time\'s selections (equal weights), added up over time, not compounded. Overlapping windows are each counted once per time they were chosen.',
  });
  const counts = ids.map((id) => {
    const n = new Array<number>(EDGES.length + 1).fill(0);
    for (const x of per.get(id)!) n[binOf(x.returnPct)]!++;
    return n;
  });
  const distRows: TableRow[] = counts[0] === undefined ? [] : counts[0].map((_, b) => ({
    cells: [binLabel(b), ...ids.map((id, k) => {
      const total = per.get(id)!.length;
      return `${counts[k]![b]} (${total > 0 ? ((counts[k]![b]! / total) * 100).toFixed(1) : '0.0'}%)`;
    })],
    // Bins up to the one ending at 0 hold losses.
    className: b <= EDGES.indexOf(0) ? 'ct-neg' : 'ct-pos',
  }));
  const quantRows: TableRow[] = [0.05, 0.25, 0.5, 0.75, 0.95].map((q) => ({
    cells: [`p${Math.round(q * 100)}`, ...ids.map((id) => pct(quantile(per.get(id)!.map((x) => x.returnPct).sort((a, b) => a - b), q)))],
  }));
  const distribution = dataTableSection({
    id: 'distribution', title: 'Distribution of slice returns (after costs)',
    columns: [{ label: 'return', align: 'left' }, ...ids.map((id) => ({ label: id }))],
    rows: [...distRows, ...quantRows], visibleRows: distRows.length + quantRows.length,
    caption: 'Slices per 0.5-point bin of return (share of the strategy\'s slices), then percentiles.',
  });
  const skipped = ev.skipped;
  const setting = metricsSection({
    id: 'settings', title: 'Settings and gates',
    groups: [
      { title: 'Evaluation', items: [
        { label: 'range', value: `${String(s.from)} -> ${String(s.to)}` },
        { label: 'universe', value: (s.symbols as string[]).join(', ') },
        { label: 'base / feature timeframe', value: `${String(s.base_timeframe)} / ${String(s.feature_timeframe)}` },
        { label: 'shift / window', value: `${String(s.shift_hours)} h / ${String(s.window_hours)} h` },
        { label: 'evaluation times', value: String(ev.times.length) },
        { label: 'normalisation', value: String(s.normalize) },
      ] },
      { title: 'Costs and gates', items: [
        { label: 'fee per side', value: `${String(s.fee_bps)} bps` },
        { label: 'slippage per side', value: `${String(s.slippage_bps)} bps` },
        { label: 'max positions', value: String(s.max_positions) },
        { label: `skipped: ATR/price > ${String(s.max_atr_pct)}%`, value: String(skipped.atr_above_max) },
        { label: `skipped: volume < ${String(s.min_volume)}`, value: String(skipped.volume_below_min) },
        { label: 'skipped: features still warming up', value: String(skipped.no_features) },
      ] },
    ],
  });
  const notes = notesSection({
    id: 'reading', title: 'How to read this',
    bullets: [
      'Each slice is one selected symbol held from the open of the first base candle at or after t to the close of the last base candle ending by t + window; fees and slippage are paid on both sides.',
      'Features at t come only from feature candles closed at or before t; a feature candle still forming at t is not used.',
      'Slices are independent: no compounding, no capital constraint across overlapping windows. The summed curve is a way to compare strategies, not an account balance.',
      'Gated symbols (too volatile, too illiquid) never reach a strategy; the counts above say how often that happened.',
    ],
  });
  return renderReportPage({
    title: `Ranking evaluation: ${ids.join(' vs ')}`,
    subtitle: `${String(s.from)} -> ${String(s.to)} · ${(s.symbols as string[]).length} symbols · every ${String(s.shift_hours)} h, ${String(s.window_hours)} h windows`,
    sections: [comparison, curve, distribution, setting, notes],
    footer: 'cryptotrader rank: slices.csv, curve.csv and metrics.json beside this file hold every number shown here.',
  });
}
