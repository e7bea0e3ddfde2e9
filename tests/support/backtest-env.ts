import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyOverrides, rawFromIniText, validateConfig, type RawConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { importCsv } from '../../src/data/import-csv.ts';
import type { Timeframe } from '../../src/core/timeframe.ts';
import { exitCodeFor, isCtError } from '../../src/core/errors.ts';
import { CLI_ARGS } from './cli-entry.ts';
import { REPO_ROOT, sharedFile } from './shared-data.ts';

/**
 * A temp workspace (data, State, results, logs) for a real run. Its runs write no report.html and
 * no PNGs unless `reports` is set: only the tests of the reports look at them, and the suite runs
 * a few hundred backtests on a CI budget.
 */
export function tempWorkspace(prefix = 'ct-run-', opts: { readonly reports?: boolean } = {}): { root: string; dataDir: string; stateDb: string; sets: string[] } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return {
    root,
    dataDir: join(root, 'data'),
    stateDb: join(root, 'State', 'trading.db'),
    sets: [
      `general.data_dir=${join(root, 'data')}`, `general.state_dir=${join(root, 'State')}`, `general.results_dir=${join(root, 'results')}`, `general.log_dir=${join(root, 'logs')}`,
      ...(opts.reports === true ? [] : ['report.html=false', 'report.png=false']),
    ],
  };
}

/** The shipped config plus overrides, validated exactly as the CLI does. */
export function configWith(sets: string[]): { config: Config; raw: RawConfig } {
  const raw = rawFromIniText(readFileSync(join(REPO_ROOT, 'config', 'config.ini'), 'utf8'));
  applyOverrides(raw, sets);
  return { config: validateConfig(raw, 'config.ini'), raw };
}

/**
 * The config section of the execution assumptions that both backtests and paper trading use
 * (fees, slippage, fill model, funding fallback). Tests name these keys through `executionKey`
 * so that moving them to another section is a change in this one place.
 */
export const EXECUTION_SECTION = 'execution';
export function executionKey(key: string): string {
  return `${EXECUTION_SECTION}.${key}`;
}

/** Imports shared CSVs into a data dir through the real import path. */
export async function importShared(dataDir: string, files: ReadonlyArray<{ file: string; symbol: string }>, timeframe: Timeframe = '1h'): Promise<void> {
  for (const f of files) {
    await importCsv({ dataDir, file: sharedFile(f.file), symbol: f.symbol, timeframe, exchange: 'binance', market: 'spot' });
  }
}

/** What a backtest left behind, however it was started. */
export interface BacktestRun {
  /** Exit code a user would see (0 ok, 1 failure, 2 bad input). */
  readonly code: number;
  readonly stdout: string;
  /** The CLI's stderr (log lines and the one-line error); in process: the error line only. */
  readonly stderr: string;
  /** The --json summary on success (run_id, results_dir and the headline metrics). */
  readonly summary: Record<string, unknown> | undefined;
  readonly runId: string | undefined;
  readonly resultsDir: string | undefined;
  /** A results file's text (fills.csv, metrics.json, ...). */
  file(name: string): string;
}

function backtestRun(code: number, stdout: string, stderr: string, summary: Record<string, unknown> | undefined): BacktestRun {
  const resultsDir = summary?.results_dir as string | undefined;
  return {
    code, stdout, stderr, summary,
    runId: summary?.run_id as string | undefined,
    resultsDir,
    file(name: string): string {
      if (resultsDir === undefined) throw new Error(`backtest failed (exit ${code}), no results: ${stderr.trim()}`);
      return readFileSync(join(resultsDir, name), 'utf8');
    },
  };
}

/**
 * Runs one backtest as a user does: the real CLI (`main.ts --mode backtest --json`) in a child
 * process, with the shipped config plus `sets`. A change of how a backtest is started (entry
 * point, flags) is adapted here, once.
 */
export function runBacktestCli(sets: readonly string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<BacktestRun> {
  const args = [...CLI_ARGS, '--mode', 'backtest', '--json', ...sets.flatMap((s) => ['--set', s])];
  return new Promise((resolvePromise) => {
    execFile(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 << 20, env: { ...process.env, ...opts.env } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      const last = stdout.trim().split('\n').at(-1) ?? '';
      resolvePromise(backtestRun(code, stdout, stderr, code === 0 && last.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : undefined));
    });
  });
}

/**
 * The same backtest inside the test process (no process start-up: about 3 s less per run today).
 * The config is validated exactly as the CLI does; a failure gives the exit code and error line
 * the CLI would print. The one place that knows the application's backtest entry point.
 */
export async function runBacktestInProcess(sets: readonly string[]): Promise<BacktestRun> {
  const { runBacktest } = await import('../../src/app/modes/backtest.ts');
  const { silentLogger } = await import('../../src/observability/logger.ts');
  try {
    const { config, raw } = configWith([...sets]);
    const r = await runBacktest({ config, raw, logger: silentLogger() });
    return backtestRun(0, `${JSON.stringify(r.summary)}\n`, '', r.summary);
  } catch (e) {
    if (!isCtError(e)) throw e;
    return backtestRun(exitCodeFor(e.errorClass), '', `${e.toLine()}\n`, undefined);
  }
}

/** Rows of a results CSV as objects keyed by its header. */
export function csvRows(text: string): Array<Record<string, string>> {
  const lines = text.trim().split('\n');
  const header = lines[0]!.split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i]!]));
  });
}
