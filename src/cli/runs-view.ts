import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildRunReport, resolveRun, type RunReport } from '../app/run-results.ts';
import { didYouMean } from '../config/did-you-mean.ts';
import { CtError } from '../core/errors.ts';
import { isoUtc } from '../core/time.ts';
import { RUN_KINDS } from '../domain/run-mode.ts';
import { listRuns, openStateDbReadOnly, RUN_STATUSES, type RunListRow } from '../persistence/run-queries.ts';
import type { RunStatus } from '../persistence/runs.ts';
import { roundedCopy } from '../reporting/results/metrics-json.ts';
import { alignTable, money, num } from '../reporting/results/format.ts';
import { formatSummaryTable } from '../reporting/results/report.ts';
import { buildContext } from './context.ts';
import type { GlobalOptions } from './global-options.ts';
import { emitResult } from './output.ts';

/** A whole number >= `min` given to `flag`, else exit 2 naming both. */
function wholeNumber(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min) throw new CtError('CT_ERR_USAGE', `${flag} ${v}: expected a whole number >= ${min}`, { details: { option: flag, value: v } });
  return n;
}

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new CtError('CT_ERR_USAGE', `${flag} ${v}: unknown value${didYouMean(v, allowed)}; expected one of ${allowed.join(', ')}`, { details: { option: flag, value: v } });
}

/** A fixed-width table: text columns left-aligned, the columns from `firstNumeric` on right-aligned. */
function columns(rows: readonly (readonly string[])[], firstNumeric: number): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i < firstNumeric ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

const at = (ts: number | null): string => (ts === null ? '-' : isoUtc(ts));
const dash = (v: string | null): string => v ?? '-';

/** One run as the JSON of `runs` and `runs show` give it (snake_case, times as ISO and ms). */
function runJson(r: RunListRow): Record<string, unknown> {
  return {
    id: r.id, mode: r.mode, status: r.status, account: r.account, started_at: r.startedAt, ended_at: r.endedAt,
    last_step: r.lastStepTs === null ? null : isoUtc(r.lastStepTs), last_step_ts: r.lastStepTs,
    equity: r.equity, open_positions: r.openPositions, fills: r.fills, pid: r.pid, resumed_from: r.resumedFrom, error: r.error,
  };
}

export async function listRunsCommand(g: GlobalOptions, o: { limit: string; status?: string; account?: string; mode?: string }): Promise<void> {
  // Checked before the config is read, so the message names the flag the user typed.
  const limit = wholeNumber('--limit', o.limit, 0);
  const status = oneOf<RunStatus>('--status', o.status, RUN_STATUSES);
  const mode = oneOf('--mode', o.mode, RUN_KINDS);
  const ctx = await buildContext(g, 'runs.log');
  const stateDb = resolve(join(ctx.config.general.state_dir, 'trading.db'));
  const db = openStateDbReadOnly(ctx.config.general.state_dir, ctx.config.general.db_busy_timeout_ms);
  if (db === undefined) {
    // Not an error: before the first run there is simply nothing to list (scripts get a valid document).
    emitResult(ctx.opts.json, { state_db: stateDb, exists: false, runs: [] }, `no runs yet: ${stateDb} does not exist (it is created by the first run on general.state_dir = ${ctx.config.general.state_dir})`);
    return;
  }
  try {
    const rows = listRuns(db, { limit, ...(mode ? { mode } : {}), ...(status ? { status } : {}), ...(o.account !== undefined ? { account: o.account } : {}) });
    const table = [
      ['ID', 'MODE', 'STATUS', 'ACCOUNT', 'STARTED', 'ENDED / LAST STEP', 'EQUITY', 'OPEN', 'FILLS'],
      ...rows.map((r) => [
        r.id, r.mode, r.status, dash(r.account), r.startedAt.replace(/\.\d+Z$/, 'Z'),
        r.endedAt !== null ? r.endedAt.replace(/\.\d+Z$/, 'Z') : `last step ${at(r.lastStepTs)}`,
        r.equity === null ? '-' : money(r.equity), String(r.openPositions), String(r.fills),
      ]),
    ];
    const human = rows.length === 0 ? `no runs match in ${stateDb}` : columns(table, 6);
    emitResult(ctx.opts.json, { state_db: stateDb, exists: true, runs: rows.map(runJson) }, human);
  } finally {
    db.close();
  }
}

export async function showRunCommand(g: GlobalOptions, id: string, o: { fills: string }): Promise<void> {
  const lastFills = wholeNumber('--fills', o.fills, 0);
  const ctx = await buildContext(g, 'runs.log');
  const db = openStateDbReadOnly(ctx.config.general.state_dir, ctx.config.general.db_busy_timeout_ms);
  try {
    const run = resolveRun(db, id);
    const resultsDir = resolve(join(ctx.config.general.results_dir, run.id));
    if (run.mode === 'rank') {
      // A ranking run has no account: its figures are per strategy, from rank_metrics.
      const { rankMetricsOf } = await import('../research/rank/rank-store.ts');
      const { comparisonTable } = await import('../research/rank/rank-files.ts');
      const metrics = rankMetricsOf(db!, run.id);
      const results = existsSync(resultsDir) ? resultsDir : null;
      const head = [['run', run.id], ['mode', run.mode], ['status', run.status], ['started', run.startedAt], ['ended', dash(run.endedAt)]];
      if (run.error !== null) head.push(['error', run.error]);
      const text = [head.map(([k, v]) => `${k!.padEnd(13)}${v}`).join('\n'), '', metrics.length > 0 ? comparisonTable(metrics) : 'no ranking metrics recorded', ...(results !== null ? ['', `results: ${results}`] : [])].join('\n');
      emitResult(ctx.opts.json, { run: runJson(run), results_dir: results, strategies: metrics.map((m) => roundedCopy(m, 'metrics')) }, text);
      return;
    }
    const report = buildRunReport(db!, run);
    const results = existsSync(resultsDir) ? resultsDir : null;
    const fills = report.rows.fills.slice(Math.max(0, report.rows.fills.length - lastFills));
    emitResult(
      ctx.opts.json,
      {
        run: runJson(run), initial_cash: report.initialCash, results_dir: results, metrics: roundedCopy(report.metrics, 'metrics'),
        open_positions: report.rows.positions.map((p) => ({ strategy_id: p.strategyId, symbol: p.symbol, qty: p.qty, avg_price: p.avgPrice, updated_ts: p.updatedTs })),
        last_fills: fills.map((f) => ({ id: f.id, ts: f.ts, strategy_id: f.strategyId, symbol: f.symbol, side: f.side, qty: f.qty, price: f.price, fee: f.fee, reason: f.reason })),
      },
      showText(report, fills, results),
    );
  } finally {
    db?.close();
  }
}

function showText(r: RunReport, fills: RunReport['rows']['fills'], results: string | null): string {
  const run = r.run;
  const header: string[][] = [
    ['run', run.id], ['mode', run.mode], ['status', run.status], ['account', dash(run.account)], ['resumed from', dash(run.resumedFrom)],
    ['pid', run.pid === null ? '-' : String(run.pid)], ['started', run.startedAt], ['ended', dash(run.endedAt)], ['last step', at(run.lastStepTs)],
    ['initial cash', money(r.initialCash)], ['equity', run.equity === null ? '-' : money(run.equity)],
  ];
  if (run.error !== null) header.push(['error', run.error]);
  const out = [header.map(([k, v]) => `${k!.padEnd(13)}${v}`).join('\n'), '', formatSummaryTable(r.metrics)];
  out.push('', `Open positions (${r.rows.positions.length})`);
  if (r.rows.positions.length > 0) {
    out.push(alignTable([['strategy', 'symbol', 'qty', 'avg price', 'since'], ...r.rows.positions.map((p) => [p.strategyId, p.symbol, String(p.qty), num(p.avgPrice, 4), isoUtc(p.updatedTs)])]));
  }
  out.push('', `Last fills (${fills.length} of ${r.rows.fills.length})`);
  if (fills.length > 0) {
    out.push(alignTable([['time', 'strategy', 'symbol', 'side', 'qty', 'price', 'fee', 'reason'], ...fills.map((f) => [isoUtc(f.ts), f.strategyId, f.symbol, f.side, String(f.qty), num(f.price, 4), num(f.fee, 4), f.reason])]));
  }
  if (r.fromBacktestSummary) out.push('', 'metrics: as the backtest wrote them (metrics.json)');
  if (results !== null) out.push('', `results: ${results}`);
  return out.join('\n');
}
