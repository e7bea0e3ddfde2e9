import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { BacktestJob, BacktestJobResult } from '../app/backtest-job.ts';
import { CtError } from '../core/errors.ts';
import { globalsOf, honours, shorthandSets } from './global-options.ts';
import { emitResult } from './output.ts';
import { checkGridKeys, parseGrid, planJobs } from './sweep-plan.ts';
import { parseSortMetric, rankRows, SORT_METRICS, sweepProgress, sweepTable, type SweepRow } from './sweep-report.ts';

export { expandGrid } from './sweep-plan.ts';

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

interface SweepOptions {
  grid?: string[];
  threads?: string;
  sort?: string;
}

/**
 * `sweep`: many independent backtests from one command — every strategy x symbol x parameter
 * combination — run in parallel on a piscina pool. Each job is a full backtest with its own
 * results/<run-id>/ and database rows, on exactly the settings of the command line (every global
 * option, in any position). Progress while it runs; a table of key metrics at the end.
 */
export function registerSweepCommand(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('run many backtests in parallel (strategies x symbols x --grid parameter sets) on all cores; ends with a table of their metrics')
    .option('--grid <key=v1,v2>', 'parameter grid, e.g. strategy.simple_ma.fast=10,20,30 (repeatable); a strategy.<id>.* key multiplies only that strategy\'s jobs', collect)
    .option('--threads <n>', 'worker threads (default: all cores)')
    .option('--sort <metric>', `rank the table by: ${Object.keys(SORT_METRICS).join(', ')} (default: job order)`)
    .action(async (o: SweepOptions, cmd: Command) => runSweep(o, cmd));
  honours(sweep, [
    ['mode', 'sweep runs backtests: only backtest is accepted'],
    ['strategies', 'comma list; each strategy is its own job (default: strategies.enabled)'],
    ['symbols', 'comma list; each symbol is its own job (default: market.symbols)'],
    'timeframe',
    'market',
    'from',
    'to',
    ['isolation', 'strategy isolation inside each job (default for sweep: inline)'],
  ]);
}

async function runSweep(o: SweepOptions, cmd: Command): Promise<void> {
  const g = globalsOf(cmd);
  if (g.mode !== undefined && g.mode !== 'backtest') {
    throw new CtError('CT_ERR_USAGE', `sweep runs backtests: --mode ${g.mode} does not apply (leave it out or use --mode backtest)`, { details: { value: g.mode } });
  }
  const sort = parseSortMetric(o.sort);
  const { availableParallelism } = await import('node:os');
  const threads = o.threads ? Number(o.threads) : availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new CtError('CT_ERR_USAGE', `--threads ${o.threads}: expected a whole number >= 1`);
  const axes = parseGrid(o.grid ?? []);

  const [{ buildContext }, { loadConfig }, { loadStrategy, resolveStrategySource }, { checkStrategyParams }] = await Promise.all([
    import('./context.ts'),
    import('../config/load.ts'),
    import('../strategies/loader.ts'),
    import('../app/strategy-params.ts'),
  ]);
  // Every option of the command line except the two job axes, and general.mode = backtest last.
  const base = ['strategies.isolation=inline', ...shorthandSets({ ...g, strategies: undefined, symbols: undefined }), 'general.mode=backtest'];
  const ctx = await buildContext({ ...g, mode: 'backtest' }, 'sweep.log');
  const strategies = [...ctx.config.strategies.enabled];
  const symbols = [...ctx.config.market.symbols];
  const customDir = resolve(ctx.config.strategies.custom_dir);
  const schemas = new Map(await Promise.all(strategies.map(async (id) => [id, (await loadStrategy(resolveStrategySource(id, customDir))).schema] as const)));
  checkGridKeys(axes, strategies, (id) => Object.keys(schemas.get(id)?.inputs ?? {}));

  const planned = planJobs(strategies, symbols, axes);
  const jobs: BacktestJob[] = planned.map((p) => ({ configFile: g.config, sets: [...base, `strategies.enabled=${p.strategy}`, `market.symbols=${p.symbol}`, ...p.overrides] }));
  // Every job's config and strategy parameters (schema and cross-parameter rule, the same check
  // every command runs at load) are validated up front (exit 2 on the first bad one), before any
  // work starts.
  for (const j of jobs) {
    const { config, raw } = loadConfig({ file: j.configFile, sets: j.sets });
    await checkStrategyParams(config, raw);
  }
  ctx.logger.info({ jobs: jobs.length, threads, from: ctx.config.backtest.from, to: ctx.config.backtest.to, timeframe: ctx.config.market.timeframe }, 'sweep started');

  const [{ runParallel }, { holdProcessStop, describeStop, stopCauseOf }] = await Promise.all([import('../workers/parallel-backtests.ts'), import('../app/process-stop.ts')]);
  const progress = await sweepProgress(jobs.length, g.json);
  // Ctrl-C / SIGTERM: queued jobs are not started, running ones end their runs `interrupted`.
  const stops = holdProcessStop();
  const onStop = (): void => ctx.logger.info({ jobs: jobs.length }, `sweep: stop requested (${describeStop(stopCauseOf(stops.signal))}); running backtests end after their current batch, queued ones are not started`);
  stops.signal.addEventListener('abort', onStop, { once: true });
  let results;
  try {
    results = await runParallel<BacktestJob, BacktestJobResult>(jobs, { threads, signal: stops.signal, onJobDone: (i, _d, _t, out) => progress.jobDone(planned[i]!.label, out.ok ? 'ok' : out.notStarted === true ? 'skipped' : 'FAILED', out.ms) });
  } finally {
    progress.stop();
    stops.signal.removeEventListener('abort', onStop);
    stops.release();
  }
  const rows: SweepRow[] = results.map((r, i) => {
    const p = planned[i]!;
    const head = { job: p.label, strategy: p.strategy, symbol: p.symbol, overrides: p.overrides, ms: Math.round(r.ms) };
    if (!r.ok) return r.notStarted === true ? { ...head, ok: false, status: 'not_started' as const } : { ...head, ok: false, status: 'failed' as const, error: r.error.toLine() };
    const { run_id: _id, results_dir: _dir, status: _status, ...metrics } = r.value.summary;
    return { ...head, ok: true, status: r.value.status, run_id: r.value.runId, results_dir: r.value.resultsDir, metrics };
  });
  const ranked = rankRows(rows, sort);
  const { isoUtc } = await import('../core/time.ts');
  const c = ctx.config;
  const setting = { from: isoUtc(c.backtest.from!), to: isoUtc(c.backtest.to!), timeframe: c.market.timeframe, market: c.exchange.market, data_exchange: c.backtest.data_exchange };
  const settingText = `${setting.from} -> ${setting.to}, ${setting.timeframe}, ${setting.data_exchange} ${setting.market}`;
  const interrupted = stops.signal.aborted;
  const count = (st: string): number => rows.filter((r) => r.status === st).length;
  const head = interrupted
    ? `sweep interrupted (${describeStop(stopCauseOf(stops.signal))}): ${count('completed')} backtests completed, ${count('interrupted')} interrupted (results for what ran), ${count('not_started')} not started\n`
    : '';
  emitResult(g.json, { sort: sort ?? null, ...setting, status: interrupted ? 'interrupted' : 'completed', jobs: ranked }, `${head}${sweepTable(ranked, sort, settingText)}`);
  const failed = count('failed');
  if (failed > 0) throw new CtError('CT_ERR_RUN_FAILED', `${failed} of ${jobs.length} backtests failed`);
}
