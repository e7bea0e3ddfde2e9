/**
 * What `sweep` shows: progress while the jobs run (a bar on a terminal, one line per finished job
 * otherwise) and, at the end, one table row per job with its key metrics, ranked by `--sort`.
 */
import { CtError } from '../core/errors.ts';

/** Metrics a sweep can be ranked by, and which way is better. */
export const SORT_METRICS = {
  total_return: 'desc',
  cagr: 'desc',
  sharpe: 'desc',
  sortino: 'desc',
  calmar: 'desc',
  max_drawdown: 'asc',
  trades: 'desc',
  win_rate: 'desc',
  profit_factor: 'desc',
  expectancy: 'desc',
} as const;
export type SortMetric = keyof typeof SORT_METRICS;

export function parseSortMetric(v: string | undefined): SortMetric | undefined {
  if (v === undefined) return undefined;
  if (!Object.prototype.hasOwnProperty.call(SORT_METRICS, v)) {
    throw new CtError('CT_ERR_USAGE', `--sort ${v}: not a metric; expected one of ${Object.keys(SORT_METRICS).join(', ')}`, { details: { value: v } });
  }
  return v as SortMetric;
}

export interface SweepRow {
  readonly job: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly overrides: readonly string[];
  readonly ok: boolean;
  /** `interrupted`: the sweep was stopped while it ran (its metrics cover what ran); `not_started`: stopped before it began. */
  readonly status: 'completed' | 'interrupted' | 'failed' | 'not_started';
  readonly ms: number;
  readonly run_id?: string;
  readonly results_dir?: string;
  /** The headline metrics of the run (results/<run-id>/metrics.json has the full record). */
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly error?: string;
}

function metricOf(r: SweepRow, m: SortMetric): number | null {
  const v = r.metrics?.[m];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Rows ranked by a metric, best first; rows without the metric (null, failed jobs) go last; ties
 * keep job order, so the same results always give the same table. Without a metric: job order.
 */
export function rankRows(rows: readonly SweepRow[], by: SortMetric | undefined): SweepRow[] {
  const indexed = rows.map((r, i) => ({ r, i }));
  if (by === undefined) return indexed.map((x) => x.r);
  const sign = SORT_METRICS[by] === 'desc' ? -1 : 1;
  indexed.sort((a, b) => {
    const va = metricOf(a.r, by), vb = metricOf(b.r, by);
    if (va === null || vb === null) return va === vb ? a.i - b.i : va === null ? 1 : -1;
    return va === vb ? a.i - b.i : sign * (va - vb);
  });
  return indexed.map((x) => x.r);
}

function pct(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : 'n/a';
}

function fixed(v: unknown, d = 2): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : 'n/a';
}

const COLUMNS: ReadonlyArray<{ readonly head: string; readonly cell: (r: SweepRow) => string; readonly right?: boolean }> = [
  { head: 'strategy', cell: (r) => r.strategy },
  { head: 'symbol', cell: (r) => r.symbol },
  { head: 'params', cell: (r) => (r.overrides.length === 0 ? '-' : r.overrides.join(' ')) },
  { head: 'return', cell: (r) => pct(r.metrics?.total_return), right: true },
  { head: 'cagr', cell: (r) => pct(r.metrics?.cagr), right: true },
  { head: 'sharpe', cell: (r) => fixed(r.metrics?.sharpe), right: true },
  { head: 'max_dd', cell: (r) => pct(r.metrics?.max_drawdown), right: true },
  { head: 'trades', cell: (r) => (typeof r.metrics?.trades === 'number' ? String(r.metrics.trades) : 'n/a'), right: true },
  { head: 'pf', cell: (r) => fixed(r.metrics?.profit_factor), right: true },
  { head: 'run', cell: (r) => (r.run_id !== undefined ? `${r.run_id}${r.status === 'interrupted' ? ' (interrupted)' : ''}` : r.status === 'not_started' ? 'not started' : `FAILED ${r.error ?? ''}`) },
];

/** The end-of-sweep table, rows already ranked. */
export function sweepTable(rows: readonly SweepRow[], by: SortMetric | undefined, setting?: string): string {
  const body = rows.map((r) => COLUMNS.map((c) => c.cell(r)));
  const head = COLUMNS.map((c) => c.head);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((v, i) => (COLUMNS[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  // The setting every job ran on is printed, so a sweep can never silently run on other dates.
  const title = `${rows.length} backtest${rows.length === 1 ? "" : "s"}${setting ? ` (${setting})` : ''}${by === undefined ? ', job order (rank with --sort <metric>)' : `, best ${by} first`}`;
  return [title, line(head), ...body.map(line)].join('\n');
}

/** What one finished job shows in the progress: done, failed, or never started (the sweep was stopped). */
export type JobState = 'ok' | 'FAILED' | 'skipped';

export interface SweepProgress {
  jobDone(label: string, state: JobState, ms: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal; otherwise (logs, CI) one line per finished job,
 * unless `quiet` (--json: scripts read stdout, and stderr stays for errors).
 */
export async function sweepProgress(total: number, quiet: boolean): Promise<SweepProgress> {
  let done = 0;
  if (process.stderr.isTTY === true) {
    const { default: cliProgress } = await import('cli-progress');
    const bar = new cliProgress.SingleBar(
      { format: 'sweep [{bar}] {value}/{total} backtests | {eta_formatted} left | {last}', stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 8 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { last: 'starting' });
    return {
      jobDone: (label, state, ms) => bar.increment({ last: `${state === 'ok' ? 'done' : state} ${label} (${(ms / 1000).toFixed(1)} s)` }),
      stop: () => bar.stop(),
    };
  }
  return {
    jobDone: (label, state, ms) => {
      done++;
      if (!quiet) process.stderr.write(`[${done}/${total}] ${state.padEnd(7)}${label} (${(ms / 1000).toFixed(1)} s)\n`);
    },
    stop: () => undefined,
  };
}
