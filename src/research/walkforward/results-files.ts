/**
 * results/<walkforward-run-id>/: windows.csv (one row per window), equity.csv (the stitched
 * out-of-sample equity with buy-and-hold on the same marks), trades.csv and fills.csv (the test
 * windows' trades and fills, in window order, same columns as a backtest's), metrics.json (the stitched run's
 * Metrics), summary.json (the walk-forward figures), config.ini and report.html (report.html = true). No run id, wall time or
 * absolute path is inside them: the same config and candles give the same bytes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isoUtc } from '../../core/time.ts';
import type { Fill } from '../../domain/order.ts';
import type { Trade } from '../../domain/trade.ts';
import { writeFillsCsv, writeTradesCsv } from '../../reporting/results/csv-files.ts';
import { csvNum, csvText } from '../../reporting/results/format.ts';
import { roundedCopy } from '../../reporting/results/metrics-json.ts';
import { writeResultsDir } from '../../reporting/results/write-results.ts';
import type { StitchedEquity } from './stitch.ts';
import type { WalkforwardSummary, WindowRow } from './summary.ts';

export const WINDOWS_COLUMNS = [
  'window', 'train_from', 'train_to', 'test_from', 'test_to', 'params', 'is_objective', 'oos_objective', 'is_trades', 'oos_trades',
  'eligible_sets', 'flatness', 'oos_return', 'buy_and_hold_return', 'start_equity', 'end_equity',
] as const;

export function windowsCsv(rows: readonly WindowRow[]): string {
  const lines = [WINDOWS_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(WINDOWS_COLUMNS.map((c) => {
      const v = r[c];
      if (c === 'params') return v === null ? 'no eligible set' : csvText(String(v));
      return typeof v === 'number' ? csvNum(v) : v === null ? '' : csvText(String(v));
    }).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function equityCsv(s: StitchedEquity): string {
  const lines = ['ts,time,window,equity,cash,exposure,drawdown,buy_and_hold'];
  s.marks.forEach((m, i) => {
    lines.push([m.ts, isoUtc(m.ts), s.window[i]! + 1, csvNum(m.equity), csvNum(m.cash), csvNum(m.exposure), csvNum(m.drawdown), csvNum(s.buyAndHold[i]!)].join(','));
  });
  return `${lines.join('\n')}\n`;
}

/** Writes the folder with the results writer every run uses: atomically, never over another run's. */
export async function writeWalkforwardResults(dir: string, r: { rows: readonly WindowRow[]; stitched: StitchedEquity; metricsJson: string; summary: WalkforwardSummary; configIni: string; trades: readonly Trade[]; fills: readonly Fill[]; reportHtml?: string }): Promise<void> {
  await writeResultsDir(dir, (tmp) => {
    writeFileSync(join(tmp, 'windows.csv'), windowsCsv(r.rows));
    writeFileSync(join(tmp, 'equity.csv'), equityCsv(r.stitched));
    writeFileSync(join(tmp, 'metrics.json'), r.metricsJson);
    writeTradesCsv(join(tmp, 'trades.csv'), r.trades);
    writeFillsCsv(join(tmp, 'fills.csv'), r.fills);
    writeFileSync(join(tmp, 'summary.json'), `${JSON.stringify(roundedCopy({ summary: r.summary, windows: r.rows }, 'summary'), null, 2)}\n`);
    writeFileSync(join(tmp, 'config.ini'), r.configIni);
    if (r.reportHtml !== undefined) writeFileSync(join(tmp, 'report.html'), r.reportHtml);
  });
}
