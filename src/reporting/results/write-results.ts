/**
 * writeResults: everything a run leaves in results/<run-id>/ — config.ini, metrics.json,
 * trades.csv, fills.csv, equity.csv and report.txt (docs/results.md describes each file); with
 * `report` also report.html (the page a person reads) and equity.png / drawdown.png.
 *
 * Atomic: the files are written into a hidden temporary directory beside the target and the
 * directory is renamed into place at the end, so a reader (or a crash) never sees half a result.
 * An existing results/<run-id>/ is never overwritten: run ids are unique, so one already there
 * means two runs were given the same id, and the first one's evidence must survive.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CtError, isCtError } from '../../core/errors.ts';
import { writeEquityCsv, writeFillsCsv, writeTradesCsv } from './csv-files.ts';
import { metricsToJson } from './metrics-json.ts';
import { formatReport } from './report.ts';
import { writeRunReport, type RunReportData, type RunReportOptions } from './run-report.ts';

/** What writeResults writes: the run's data (the report's too), its resolved config and, for a backtest, its report options. */
export interface ResultsData extends RunReportData {
  /** The resolved config as INI text, written verbatim. */
  readonly configIni: string;
  /** report.html and/or the PNG charts (backtests; report.html / report.png in [report]). */
  readonly report?: RunReportOptions;
}

/** The files of every results directory, in the order they are written (`report` adds REPORT_FILES). */
export const RESULT_FILES = ['config.ini', 'metrics.json', 'trades.csv', 'fills.csv', 'equity.csv', 'report.txt'] as const;

export async function writeResults(dir: string, data: ResultsData): Promise<{ files: string[]; /** Time spent on the report files (ms). */ reportMs: number }> {
  return writeResultsDir(dir, async (tmp) => {
    writeFileSync(join(tmp, 'config.ini'), data.configIni.endsWith('\n') || data.configIni === '' ? data.configIni : `${data.configIni}\n`);
    writeFileSync(join(tmp, 'metrics.json'), metricsToJson(data.metrics));
    writeTradesCsv(join(tmp, 'trades.csv'), data.trades);
    writeFillsCsv(join(tmp, 'fills.csv'), data.fills);
    writeEquityCsv(join(tmp, 'equity.csv'), data.equity);
    writeFileSync(join(tmp, 'report.txt'), formatReport({ metrics: data.metrics, assumptions: data.assumptions, trades: data.trades, runId: data.runId }));
    // Inside the temporary directory too: a reader never sees a results dir without its report.
    const t0 = performance.now();
    const extra = data.report ? await writeRunReport(tmp, data, data.report) : [];
    const reportMs = performance.now() - t0;
    return { files: [...RESULT_FILES, ...extra].map((f) => join(resolve(dir), f)), reportMs };
  });
}

/**
 * The atomic write of one results/<run-id>/ folder, for every kind of run (backtest, walk-forward,
 * ranking): `fill` writes the files into a hidden temporary folder beside the target, which is then
 * renamed into place; an existing target is refused. Any failure removes the temporary folder and
 * is CT_ERR_RESULTS_WRITE naming the target.
 */
export async function writeResultsDir<T>(dir: string, fill: (tmp: string) => T | Promise<T>): Promise<T> {
  const target = resolve(dir);
  const parent = dirname(target);
  if (existsSync(target)) {
    throw new CtError('CT_ERR_RESULTS_WRITE', `results: ${target} already exists; refusing to overwrite another run's results`, { details: { dir: target } });
  }
  let tmp: string | undefined;
  try {
    mkdirSync(parent, { recursive: true });
    tmp = mkdtempSync(join(parent, `.${basename(target)}.tmp-`));
    const out = await fill(tmp);
    renameSync(tmp, target);
    tmp = undefined;
    return out;
  } catch (e) {
    if (isCtError(e)) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new CtError('CT_ERR_RESULTS_WRITE', `results: writing ${target} failed (${err.code ?? 'error'}: ${err.message})`, { cause: e, details: { dir: target, errno: err.code } });
  } finally {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
}
