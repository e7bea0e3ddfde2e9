/**
 * The files of a run a person looks at, beside its CSVs: report.html (the interactive page,
 * src/reporting/html/backtest-report.ts) and equity.png / drawdown.png (drawn without a browser,
 * src/reporting/png/). Called by writeResults inside its temporary directory, so they appear
 * atomically with the rest of the results.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CandleColumns } from '../../domain/candle.ts';
import type { EquityMarks } from '../../domain/equity.ts';
import type { Fill } from '../../domain/order.ts';
import type { Trade } from '../../domain/trade.ts';
import type { TradeLevels } from '../html/price-chart-section.ts';
import { buyAndHold } from '../metrics/buy-and-hold.ts';
import type { Metrics } from '../metrics/types.ts';

export const REPORT_FILES = ['report.html', 'equity.png', 'drawdown.png'] as const;

export interface RunReportOptions {
  /** Write report.html. */
  readonly html: boolean;
  /** Write equity.png and drawdown.png. */
  readonly png: boolean;
  /** The candles the run traded on (only what ran, for an interrupted run). */
  readonly candles: ReadonlyMap<string, CandleColumns>;
  /** Stop and target of each trade's entry order, by trade id (the dashed lines). */
  readonly levels?: TradeLevels;
  readonly strategies?: readonly string[];
  readonly monteCarlo: { readonly runs: number; readonly seed: number };
}

/** A finished run as its results files see it. */
export interface RunReportData {
  readonly metrics: Metrics;
  readonly trades: readonly Trade[];
  readonly fills: readonly Fill[];
  readonly equity: EquityMarks;
  /** Fill-model assumptions, printed in report.txt and report.html. */
  readonly assumptions: readonly string[];
  /** Printed in the reports only (never in metrics.json, which must not depend on the run id). */
  readonly runId?: string;
}

/**
 * Writes the report files into `dir`; returns the names written. The page builder and resvg (a
 * native module) are loaded on first use: every run imports writeResults, few need these.
 */
export async function writeRunReport(dir: string, data: RunReportData, o: RunReportOptions): Promise<string[]> {
  const written: string[] = [];
  const { backtestReportHtml, equityArrays } = await import('../html/backtest-report.ts');
  if (o.html) {
    writeFileSync(join(dir, 'report.html'), backtestReportHtml({
      ...(data.runId !== undefined ? { runId: data.runId } : {}),
      metrics: data.metrics, trades: data.trades, fills: data.fills, equity: data.equity, candles: o.candles,
      ...(o.levels ? { levels: o.levels } : {}), assumptions: data.assumptions,
      ...(o.strategies ? { strategies: o.strategies } : {}), monteCarlo: o.monteCarlo,
    }));
    written.push('report.html');
  }
  if (o.png) {
    const { drawdownPng, equityPng } = await import('../png/run-charts.ts');
    const eq = equityArrays(data.equity);
    const cash = data.metrics.returns.initialCash;
    const closes = new Map<string, Float64Array>(), tsOf = new Map<string, Float64Array>();
    for (const [s, c] of o.candles) {
      closes.set(s, c.close.subarray(0, c.length));
      tsOf.set(s, c.ts.subarray(0, c.length));
    }
    const bh = buyAndHold({ closes, ts: tsOf }).curve;
    // No run id in the pictures: the same run twice gives byte-identical PNGs.
    const p = data.metrics.period;
    const subtitle = [o.strategies?.join(', '), [...o.candles.keys()].sort().join(', '), p.timeframe, p.start && p.end ? `${p.start.slice(0, 10)} → ${p.end.slice(0, 10)}` : undefined]
      .filter(Boolean).join(' · ');
    const input = {
      subtitle, ts: eq.ts, equity: eq.equity, drawdown: eq.drawdown,
      ...(bh?.ts ? { benchmark: { ts: bh.ts, values: bh.values.map((v) => v * cash) } } : {}),
    };
    writeFileSync(join(dir, 'equity.png'), equityPng(input));
    writeFileSync(join(dir, 'drawdown.png'), drawdownPng(input));
    written.push('equity.png', 'drawdown.png');
  }
  return written;
}
