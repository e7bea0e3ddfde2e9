/**
 * renderReportPage: one self-contained HTML file (report.html) from a title and sections
 * (sections.ts). The charting library and the client runtime are inlined, data is embedded as
 * JSON: the file opens offline from file://, with no request to anywhere.
 *
 * STABLE API for the walk-forward and ranking reports:
 *
 *   import { renderReportPage } from '../html/page.ts';
 *   import { metricsSection, lineChartSection, dataTableSection, heatmapSection, notesSection } from '../html/sections.ts';
 *   writeFileSync(join(dir, 'report.html'), renderReportPage({ title, subtitle, sections: [...] }));
 *
 * Deterministic: the same input gives the same bytes (nothing reads the clock).
 *
 * Hooks for tests and curious users, on `window.__report` once `window.__report.ready` is true:
 *   sections(): string[]                         ids of the sections, in page order
 *   chartIds(): string[]                         ids of the sections that drew a chart
 *   visibleRange(id?): {from, to} | null         a chart's visible time range in epoch SECONDS
 *                                                (default: the first price chart, else the first chart)
 *   markerCount(): number                        markers drawn on the price chart now (its current symbol)
 *   markerTotal(): number                        markers of the price chart over all its symbols
 *   markerLabels(): number                       markers drawn with their size/PnL label (zoomed in to <= 400 bars)
 *   levelLineCount(): number                     dashed stop/target line series drawn for the current symbol
 *   levelLines(): {stop, target}                 stop and target segments (one per trade with that level) of it
 *   priceChartX(timeSec): number | null          x of a time on the price chart (to hover a trade)
 *   symbols(): string[]; currentSymbol(): string | null; selectSymbol(s): void
 */
import { chartLibrarySource } from './chart-library.ts';
import { CLIENT_RUNTIME } from './client-runtime.ts';
import { escapeHtml, scriptJson, scriptText } from './escape.ts';
import { REPORT_CSS } from './page-style.ts';
import type { ReportSection } from './sections.ts';

export interface ReportPageInput {
  readonly title: string;
  /** One line under the title (run id, period, symbols). */
  readonly subtitle?: string;
  readonly sections: readonly ReportSection[];
  /** A line at the bottom of the page (how the report was made). */
  readonly footer?: string;
}

export function renderReportPage(p: ReportPageInput): string {
  const ids = new Set<string>();
  for (const s of p.sections) {
    if (ids.has(s.id)) throw new Error(`report page: two sections have the id '${s.id}'`);
    ids.add(s.id);
  }
  const nav = p.sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('');
  const body = p.sections.map(renderSection).join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No network at all: a report must never reach out (and must not be able to).
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(p.title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head><body>',
    `<header><h1>${escapeHtml(p.title)}</h1>${p.subtitle ? `<p class="ct-subtitle">${escapeHtml(p.subtitle)}</p>` : ''}<nav>${nav}</nav></header>`,
    `<main>\n${body}\n</main>`,
    p.footer ? `<footer>${escapeHtml(p.footer)}</footer>` : '',
    `<script>${scriptText(chartLibrarySource())}</script>`,
    `<script>${scriptText(CLIENT_RUNTIME)}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function renderSection(s: ReportSection): string {
  const kind = s.kind ? ` data-kind="${s.kind}"` : '';
  const data = s.kind && s.data !== undefined ? `<script type="application/json" class="ct-data">${scriptJson(s.data)}</script>` : '';
  return `<section class="ct-section" id="${s.id}"${kind}><h2>${escapeHtml(s.title)}</h2>${s.html}${data}</section>`;
}
