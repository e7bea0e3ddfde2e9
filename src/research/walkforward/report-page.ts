/**
 * report.html of a walk-forward, from the report page blocks (src/reporting/html): the headline
 * figures, the test windows' trades on the price, the stitched out-of-sample equity against buy-and-hold on the same test spans, its
 * drawdown, the in-sample vs out-of-sample objective of every window as bars, the windows table
 * (a click shows that window's test span on the charts) and how to read it all. Same inputs, same
 * bytes.
 */
import type { CandleColumns } from '../../domain/candle.ts';
import type { Fill } from '../../domain/order.ts';
import type { Trade } from '../../domain/trade.ts';
import { renderReportPage } from '../../reporting/html/page.ts';
import { priceChartSection } from '../../reporting/html/price-chart-section.ts';
import { escapeHtml } from '../../reporting/html/escape.ts';
import { dataTableSection, formatValue, htmlSection, lineChartSection, metricsSection, notesSection, PALETTE, type ReportSection } from '../../reporting/html/sections.ts';
import type { StitchedEquity } from './stitch.ts';
import type { WalkforwardSummary, WindowRow } from './summary.ts';

export interface WalkforwardReportInput {
  readonly summary: WalkforwardSummary;
  readonly rows: readonly WindowRow[];
  readonly stitched: StitchedEquity;
  /** Candles over the test spans (first test start to last test end), for the price chart. */
  readonly candles: ReadonlyMap<string, CandleColumns>;
  readonly trades: readonly Trade[];
  readonly fills: readonly Fill[];
}

const pct = (v: number | null | undefined): string => formatValue(v ?? null, 'percent');
const n3 = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3));

/** Grouped bars: IS and OOS objective per window (an inline SVG, no script). */
function objectiveBars(rows: readonly WindowRow[], objective: string): ReportSection {
  const values = rows.flatMap((r) => [r.is_objective, r.oos_objective]).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(1e-9, ...values.map(Math.abs));
  const W = Math.max(320, rows.length * 44 + 40), H = 200, mid = H / 2, scale = (H / 2 - 16) / max;
  const bars = rows.map((r, i) => {
    const x = 30 + i * 44;
    const bar = (v: number | null, dx: number, colour: string, what: string): string => {
      if (v === null || !Number.isFinite(v)) return '';
      const h = Math.abs(v) * scale;
      return `<rect x="${x + dx}" y="${(v >= 0 ? mid - h : mid).toFixed(1)}" width="16" height="${Math.max(0.5, h).toFixed(1)}" fill="${colour}"><title>window ${r.window} ${what} ${objective}: ${escapeHtml(n3(v))}</title></rect>`;
    };
    return `${bar(r.is_objective, 0, PALETTE[0], 'IS')}${bar(r.oos_objective, 18, PALETTE[1], 'OOS')}<text x="${x + 17}" y="${H - 2}" font-size="10" text-anchor="middle">${r.window}</text>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" class="ct-bars" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img"><line x1="24" x2="${W}" y1="${mid}" y2="${mid}" stroke="#999"/>${bars}</svg>`;
  const legend = `<div class="ct-legend"><span class="ct-legend-item"><i style="background:${PALETTE[0]}"></i>in sample (train)</span><span class="ct-legend-item"><i style="background:${PALETTE[1]}"></i>out of sample (test)</span></div>`;
  return htmlSection({ id: 'wf-bars', title: `${objective}: in sample vs out of sample per window`, html: `${legend}${svg}<p class="ct-caption">A window whose out-of-sample bar is far below its in-sample bar was chosen for a fit that did not last. Missing bars: no eligible set, or the objective was not available (too few returns or trades).</p>` });
}

export function walkforwardReportHtml(r: WalkforwardReportInput): string {
  const s = r.summary;
  const ts = r.stitched.marks.map((m) => m.ts);
  const dd = r.stitched.marks.map((m) => -m.drawdown);
  let bhPeak = -Infinity;
  const bhDd = Array.from(r.stitched.buyAndHold, (v) => {
    bhPeak = Math.max(bhPeak, v);
    return bhPeak > 0 ? -(bhPeak - v) / bhPeak : 0;
  });
  const sections: ReportSection[] = [
    metricsSection({
      id: 'wf-metrics', title: 'Walk-forward', groups: [
        { title: 'Out of sample (stitched)', items: [
          { label: 'Total return', value: pct(s.oos.total_return) }, { label: 'Sharpe', value: n3(s.oos.sharpe) },
          { label: 'Max drawdown', value: pct(s.oos.max_drawdown) }, { label: 'Trades', value: String(s.oos.trades) },
          { label: 'Final equity', value: formatValue(s.oos.final_equity, 'money') },
        ] },
        { title: 'Buy and hold (same test spans)', items: [
          { label: 'Total return', value: pct(s.buy_and_hold.total_return) }, { label: 'Max drawdown', value: pct(s.buy_and_hold.max_drawdown) },
          { label: 'Excess return', value: pct(s.buy_and_hold.excess_return), hint: 'out-of-sample total return - buy-and-hold total return' },
        ] },
        { title: 'Robustness', items: [
          { label: 'Walk-forward efficiency', value: n3(s.efficiency.value), hint: s.efficiency.definition },
          { label: 'Return efficiency', value: n3(s.efficiency.return_ratio), hint: s.efficiency.return_definition },
          { label: 'Parameter stability', value: n3(s.stability.score), hint: '1 - drift: 1 = the same set in every window' },
          { label: 'Flatness around the choice', value: n3(s.stability.flatness), hint: 'mean objective of the grid neighbours / best: near 1 = plateau, low = isolated peak' },
          { label: 'Windows without an eligible set', value: `${s.windows_no_eligible_set} of ${s.window_count}` },
        ] },
      ],
    }),
    priceChartSection({ id: 'wf-price', title: 'Out-of-sample trades on the price', candles: r.candles, fills: r.fills, trades: r.trades, syncGroup: 'wf' }),
    lineChartSection({ id: 'wf-equity', title: 'Out-of-sample equity vs buy-and-hold', format: 'money', syncGroup: 'wf', series: [
      { name: 'walk-forward (OOS, stitched)', ts, values: r.stitched.marks.map((m) => m.equity) },
      { name: 'buy and hold (same spans)', ts, values: r.stitched.buyAndHold, dashed: true },
    ], caption: 'Each test window starts from the equity the previous one ended with; a window without an eligible set is flat (cash). Gaps between test spans (step > test) are in neither curve.' }),
    lineChartSection({ id: 'wf-drawdown', title: 'Drawdown (underwater)', format: 'percent', syncGroup: 'wf', height: 160, series: [
      { name: 'walk-forward', ts, values: dd, style: 'area' }, { name: 'buy and hold', ts, values: bhDd, dashed: true },
    ] }),
    objectiveBars(r.rows, s.objective),
    dataTableSection({
      id: 'wf-windows', title: 'Windows', syncGroup: 'wf',
      columns: [
        { label: '#' }, { label: 'train', align: 'left' }, { label: 'test', align: 'left' }, { label: 'chosen', align: 'left' },
        { label: `IS ${s.objective}` }, { label: `OOS ${s.objective}` }, { label: 'IS trades' }, { label: 'OOS trades' },
        { label: 'flatness', hint: 'mean objective of grid neighbours / best' }, { label: 'OOS return' }, { label: 'B&H return' },
      ],
      rows: r.rows.map((w) => ({
        cells: [String(w.window), `${w.train_from.slice(0, 10)} – ${w.train_to.slice(0, 10)}`, `${w.test_from.slice(0, 10)} – ${w.test_to.slice(0, 10)}`,
          w.params ?? 'no eligible set (cash)', n3(w.is_objective), n3(w.oos_objective), w.is_trades === null ? '–' : String(w.is_trades), String(w.oos_trades),
          n3(w.flatness), pct(w.oos_return), pct(w.buy_and_hold_return)],
        focus: { from: Date.parse(w.test_from), to: Date.parse(w.test_to) },
        className: w.oos_return >= 0 ? 'ct-pos' : 'ct-neg',
      })),
      caption: 'Click a row to show its test span on the charts above.',
    }),
    notesSection({ id: 'wf-notes', title: 'How this was made', bullets: [
      `Windows: ${s.windows}, train ${s.train_days} days, test ${s.test_days} days, step ${s.step_days} days, over ${s.from.slice(0, 10)} – ${s.to.slice(0, 10)}; only whole windows.`,
      `Each train window: all ${s.combinations} parameter sets evaluated${s.combinations_skipped > 0 ? ` (${s.combinations_skipped} left out by the strategy's own rules)` : ''}; the highest ${s.objective} among the sets with at least ${s.min_trades} trades wins, ties to the first in grid order.`,
      'The choice uses only the train candles (and the warm-up candles before them): a candle after the train window cannot change it.',
      'Every evaluation is the backtest engine (same fills, fees, slippage, risk gate), starting flat at its window start after a warm-up the strategy does not trade on.',
      `Walk-forward efficiency: ${s.efficiency.definition}; return efficiency: ${s.efficiency.return_definition}.`,
      `Parameter stability: ${s.stability.definition}.`,
      `Buy-and-hold: ${s.buy_and_hold.definition}.`,
    ] }),
  ];
  return renderReportPage({
    title: `Walk-forward: ${s.strategy} on ${s.symbols.join(', ')} ${s.timeframe}`,
    subtitle: `${s.from.slice(0, 10)} – ${s.to.slice(0, 10)}, ${s.window_count} ${s.windows} windows, objective ${s.objective}`,
    sections,
    footer: 'cryptotrader walkforward: results beside this file (windows.csv, equity.csv, trades.csv, fills.csv, metrics.json, summary.json)',
  });
}
