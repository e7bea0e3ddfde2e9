/**
 * Section builders for a report page (page.ts). Each returns a ReportSection: its markup, and for
 * the interactive kinds the JSON the page's client runtime (client-runtime.ts) draws from.
 *
 * STABLE API (walk-forward and ranking reports are built from these): signatures only grow
 * (new optional fields, new builders); nothing is renamed or removed.
 *
 *  - metricsSection: label/value pairs in groups (a run's headline numbers);
 *  - lineChartSection: several named series on one time axis (equity vs buy-and-hold, drawdown);
 *    charts with the same `syncGroup` scroll and zoom together, and with a price chart;
 *  - dataTableSection: a table; rows may carry a time range that a click shows on the group's charts;
 *  - heatmapSection: a table of numbers coloured by sign and size (monthly returns);
 *  - notesSection: paragraphs and/or a bullet list (assumptions, caveats);
 *  - htmlSection: anything else, as trusted markup built by our code.
 */
import { encodeTimes, packValues } from './compact-series.ts';
import { escapeHtml } from './escape.ts';

/** Client initialisers of client-runtime.ts; a section without `kind` is static markup. */
export type SectionKind = 'line-chart' | 'price-chart' | 'table';

export interface ReportSection {
  /** DOM id, unique in the page (letters, digits, '-', '_'). */
  readonly id: string;
  readonly title: string;
  /** Body markup (already escaped by the builder). */
  readonly html: string;
  readonly kind?: SectionKind;
  /** JSON for the kind's initialiser, embedded beside the markup. */
  readonly data?: unknown;
}

/** How a chart's axis and a heatmap print values. */
export type ValueFormat = 'percent' | 'money' | 'number' | 'price';

export function sectionId(id: string): string {
  if (!/^[A-Za-z][\w-]*$/.test(id)) throw new Error(`report section id '${id}' must be a letter followed by letters, digits, '-' or '_'`);
  return id;
}

// ---------------------------------------------------------------------------------------------

export interface MetricItem {
  readonly label: string;
  /** Already formatted (formatValue helps). */
  readonly value: string;
  /** Optional explanation shown on hover. */
  readonly hint?: string;
}

export interface MetricGroup {
  readonly title?: string;
  readonly items: readonly MetricItem[];
}

export function metricsSection(o: { id: string; title: string; groups: readonly MetricGroup[] }): ReportSection {
  const groups = o.groups
    .map((g) => {
      const rows = g.items
        .map((it) => `<tr${it.hint ? ` title="${escapeHtml(it.hint)}"` : ''}><th>${escapeHtml(it.label)}</th><td>${escapeHtml(it.value)}</td></tr>`)
        .join('');
      return `<div class="ct-metric-group">${g.title ? `<h3>${escapeHtml(g.title)}</h3>` : ''}<table class="ct-metrics">${rows}</table></div>`;
    })
    .join('');
  return { id: sectionId(o.id), title: o.title, html: `<div class="ct-metric-groups">${groups}</div>` };
}

// ---------------------------------------------------------------------------------------------

export interface LineSeriesInput {
  readonly name: string;
  /** CSS colour; a palette colour by position when absent. */
  readonly color?: string;
  /** Epoch-ms times, ascending and unique. */
  readonly ts: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  /** 'area': filled to the bottom (an underwater drawdown, drawn with negative values). */
  readonly style?: 'line' | 'area';
  readonly dashed?: boolean;
}

export const PALETTE = ['#2962ff', '#ff6d00', '#2e7d32', '#8e24aa', '#c62828', '#00838f', '#6d4c41', '#546e7a'] as const;

export function lineChartSection(o: {
  id: string;
  title: string;
  series: readonly LineSeriesInput[];
  format?: ValueFormat;
  /** Charts (and price charts) with the same group keep the same visible time range. */
  syncGroup?: string;
  height?: number;
  /** A sentence under the chart saying how to read it. */
  caption?: string;
}): ReportSection {
  const series = o.series.map((s, i) => {
    if (s.ts.length !== s.values.length) throw new Error(`line chart '${o.id}': series '${s.name}' has ${s.ts.length} times but ${s.values.length} values`);
    return { name: s.name, color: s.color ?? PALETTE[i % PALETTE.length]!, style: s.style ?? 'line', dashed: s.dashed === true, t: encodeTimes(s.ts), v: packValues(s.values) };
  });
  const legend = series.map((s) => `<span class="ct-legend-item"><i style="background:${escapeHtml(s.color)}"></i>${escapeHtml(s.name)}</span>`).join('');
  return {
    id: sectionId(o.id),
    title: o.title,
    kind: 'line-chart',
    data: { group: o.syncGroup ?? null, height: o.height ?? 260, format: o.format ?? 'number', series },
    html: `<div class="ct-legend">${legend}</div><div class="ct-chart"></div>${o.caption ? `<p class="ct-caption">${escapeHtml(o.caption)}</p>` : ''}`,
  };
}

// ---------------------------------------------------------------------------------------------

export interface TableColumn {
  readonly label: string;
  readonly align?: 'left' | 'right';
  readonly hint?: string;
}

export interface TableRow {
  /** Already formatted cells, one per column. */
  readonly cells: readonly string[];
  /** A click on the row shows this range (epoch ms) on the charts of the table's syncGroup. */
  readonly focus?: { readonly from: number; readonly to: number; readonly symbol?: string };
  /** Extra CSS class: 'ct-pos' / 'ct-neg' colour the row's numbers. */
  readonly className?: string;
}

export function dataTableSection(o: {
  id: string;
  title: string;
  columns: readonly TableColumn[];
  rows: readonly TableRow[];
  syncGroup?: string;
  caption?: string;
  /** Rows shown before the table scrolls (CSS max-height in rows); default 20. */
  visibleRows?: number;
}): ReportSection {
  const head = o.columns
    .map((c) => `<th class="${c.align === 'left' ? 'ct-l' : 'ct-r'}"${c.hint ? ` title="${escapeHtml(c.hint)}"` : ''}>${escapeHtml(c.label)}</th>`)
    .join('');
  // Alignment by column in one scoped rule, not a class on every cell: a trades table has tens of thousands of cells.
  const left = o.columns.flatMap((c, j) => (c.align === 'left' ? [`#${o.id} td:nth-child(${j + 1})`] : []));
  const style = left.length > 0 ? `<style>${left.join(',')}{text-align:left}</style>` : '';
  const body = o.rows
    .map((r, i) => {
      if (r.cells.length !== o.columns.length) throw new Error(`table '${o.id}': row ${i} has ${r.cells.length} cells for ${o.columns.length} columns`);
      const f = r.focus;
      const attrs = f
        ? ` data-from="${Math.floor(f.from / 1000)}" data-to="${Math.floor(f.to / 1000)}"${f.symbol !== undefined ? ` data-symbol="${escapeHtml(f.symbol)}"` : ''}`
        : '';
      const cls = [f ? 'ct-focusable' : '', r.className ?? ''].filter(Boolean).join(' ');
      return `<tr${cls ? ` class="${cls}"` : ''}${attrs}><td>${r.cells.map(escapeHtml).join('</td><td>')}</td></tr>`;
    })
    .join('');
  const maxRows = o.visibleRows ?? 20;
  return {
    id: sectionId(o.id),
    title: o.title,
    kind: 'table',
    data: { group: o.syncGroup ?? null },
    html:
      `${style}<div class="ct-table-wrap" style="max-height:${(maxRows + 1) * 1.7}em"><table class="ct-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>` +
      `${o.rows.length === 0 ? '<p class="ct-caption">(none)</p>' : ''}${o.caption ? `<p class="ct-caption">${escapeHtml(o.caption)}</p>` : ''}`,
  };
}

// ---------------------------------------------------------------------------------------------

export function heatmapSection(o: {
  id: string;
  title: string;
  rowLabels: readonly string[];
  columnLabels: readonly string[];
  /** values[row][column]; null is an empty cell. */
  values: readonly (readonly (number | null)[])[];
  format?: ValueFormat;
  /** |value| at which the colour is full; default: the largest |value|. */
  scale?: number;
  caption?: string;
}): ReportSection {
  const fmt = o.format ?? 'percent';
  let scale = o.scale ?? 0;
  if (!(scale > 0)) for (const row of o.values) for (const v of row) if (v !== null && Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  const head = `<th></th>${o.columnLabels.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}`;
  const body = o.rowLabels
    .map((label, i) => {
      const cells = o.columnLabels
        .map((_, j) => {
          const v = o.values[i]?.[j] ?? null;
          if (v === null || !Number.isFinite(v)) return '<td></td>';
          return `<td style="background:${heatColour(v, scale)}">${escapeHtml(formatValue(v, fmt))}</td>`;
        })
        .join('');
      return `<tr><th>${escapeHtml(label)}</th>${cells}</tr>`;
    })
    .join('');
  return {
    id: sectionId(o.id),
    title: o.title,
    html: `<table class="ct-heatmap"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${o.caption ? `<p class="ct-caption">${escapeHtml(o.caption)}</p>` : ''}`,
  };
}

/** Green for gains, red for losses, more opaque the larger |v| / scale. */
export function heatColour(v: number, scale: number): string {
  const a = scale > 0 ? Math.min(1, Math.abs(v) / scale) : 0;
  const alpha = (0.12 + 0.68 * a).toFixed(2);
  return v >= 0 ? `rgba(46,125,50,${alpha})` : `rgba(198,40,40,${alpha})`;
}

// ---------------------------------------------------------------------------------------------

export function notesSection(o: { id: string; title: string; paragraphs?: readonly string[]; bullets?: readonly string[] }): ReportSection {
  const ps = (o.paragraphs ?? []).map((p) => `<p>${escapeHtml(p)}</p>`).join('');
  const ul = o.bullets && o.bullets.length > 0 ? `<ul>${o.bullets.map((b) => `<li>${escapeHtml(b)}</li>`).join('')}</ul>` : '';
  return { id: sectionId(o.id), title: o.title, html: `<div class="ct-notes">${ps}${ul}</div>` };
}

/** Trusted markup built by our code (escape every value with escapeHtml). */
export function htmlSection(o: { id: string; title: string; html: string }): ReportSection {
  return { id: sectionId(o.id), title: o.title, html: o.html };
}

// ---------------------------------------------------------------------------------------------

/** A value as a report prints it; null/NaN as an en dash. */
export function formatValue(v: number | null | undefined, f: ValueFormat = 'number'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (f) {
    case 'percent':
      return `${(v * 100).toFixed(2)}%`;
    case 'money':
      return groupThousands(v.toFixed(2));
    case 'price':
      return Math.abs(v) >= 1000 ? v.toFixed(2) : v.toPrecision(6);
    default:
      return Math.abs(v) >= 1000 ? v.toFixed(0) : Number.isInteger(v) ? String(v) : v.toPrecision(4);
  }
}

/** "-1234567.89" -> "-1,234,567.89" (toLocaleString is ~50x slower, and a trades table has thousands of cells). */
function groupThousands(fixed: string): string {
  const neg = fixed.startsWith('-');
  const body = neg ? fixed.slice(1) : fixed;
  const dot = body.indexOf('.');
  const int = dot < 0 ? body : body.slice(0, dot);
  let out = '';
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) out += ',';
    out += int[i];
  }
  return `${neg ? '-' : ''}${out}${dot < 0 ? '' : body.slice(dot)}`;
}
